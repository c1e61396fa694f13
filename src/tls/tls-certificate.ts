import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicitPrimitive,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
  derUtf8String,
  ipAddressBytes,
} from './tls-der.ts';

/**
 * Writes the two kinds of X.509 v3 certificate the gateway issues for
 * itself (RFC 5280): its local CA and the server certificate that CA signs.
 * Keys are ECDSA P-256 and signatures ecdsa-with-SHA256, which every TLS
 * client and PostgreSQL's OpenSSL accept.
 */

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

export interface CertificateRequest {
  readonly commonName: string;
  readonly issuerCommonName: string;
  readonly publicKey: KeyObject;
  /** The issuer's public key, for the authority key identifier; the subject's own for a self-signed CA. */
  readonly issuerPublicKey: KeyObject;
  /** The issuer's private key, which signs. */
  readonly signingKey: KeyObject;
  readonly notBefore: number;
  readonly notAfter: number;
  /** A CA may sign certificates (keyCertSign, cRLSign); a server certificate may only authenticate TLS. */
  readonly role: 'ca' | 'server';
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
}

function name(commonName: string): Buffer {
  return derSequence(derSet(derSequence(derOid(OID.commonName), derUtf8String(commonName))));
}

/**
 * RFC 7093 method 1 style key identifier: the leftmost 160 bits of the
 * SHA-256 of the key. Only uniqueness matters; chain builders match the
 * subject's identifier against the issuer's.
 */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(spki).digest().subarray(0, 20);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical ? derSequence(derOid(oid), derBoolean(true), derOctetString(value)) : derSequence(derOid(oid), derOctetString(value));
}

function extensions(request: CertificateRequest): Buffer {
  const list: Buffer[] = [];
  if (request.role === 'ca') {
    // cA TRUE, pathLenConstraint 0: this CA signs server certificates only, never another CA.
    list.push(extension(OID.basicConstraints, true, derSequence(derBoolean(true), derSmallInteger(0))));
    // keyCertSign is bit 5 and cRLSign bit 6: 0b0000_0110 with the last bit unused.
    list.push(extension(OID.keyUsage, true, derBitString(Buffer.of(0x06), 1)));
  } else {
    list.push(extension(OID.basicConstraints, true, derSequence()));
    // digitalSignature (bit 0) is all an ECDHE handshake needs from an ECDSA key.
    list.push(extension(OID.keyUsage, true, derBitString(Buffer.of(0x80), 7)));
    list.push(extension(OID.extKeyUsage, false, derSequence(derOid(OID.serverAuth))));
    const names = [
      ...(request.dnsNames ?? []).map((dns) => derImplicitPrimitive(2, Buffer.from(dns, 'ascii'))),
      ...(request.ips ?? []).map((ip) => derImplicitPrimitive(7, ipAddressBytes(ip))),
    ];
    if (names.length === 0) throw new RangeError('a server certificate needs at least one DNS name or IP address');
    list.push(extension(OID.subjectAltName, false, derSequence(...names)));
  }
  list.push(extension(OID.subjectKeyIdentifier, false, derOctetString(keyIdentifier(request.publicKey))));
  list.push(extension(OID.authorityKeyIdentifier, false, derSequence(derImplicitPrimitive(0, keyIdentifier(request.issuerPublicKey)))));
  return derExplicit(3, derSequence(...list));
}

/** Up to 20 random octets, positive and without a leading zero, as RFC 5280 §4.1.2.2 asks. */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return derUnsignedInteger(bytes);
}

/** Builds and signs a certificate; returns it as PEM. */
export function issueCertificate(request: CertificateRequest): string {
  const algorithm = derSequence(derOid(OID.ecdsaWithSha256));
  const tbs = derSequence(
    derExplicit(0, derSmallInteger(2)), // v3
    serialNumber(),
    algorithm,
    name(request.issuerCommonName),
    derSequence(derTime(request.notBefore), derTime(request.notAfter)),
    name(request.commonName),
    request.publicKey.export({ format: 'der', type: 'spki' }),
    extensions(request),
  );
  // Node's ECDSA signatures are DER Ecdsa-Sig-Value already, the form X.509 wants.
  const signature = sign('sha256', tbs, request.signingKey);
  const certificate = derSequence(tbs, algorithm, derBitString(signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
