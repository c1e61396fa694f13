import { describe, expect, it } from 'vitest';
import { der, derOid, derSmallInteger, derTime, derUnsignedInteger, ipAddressBytes } from './tls-der.ts';

describe('DER primitives', () => {
  it('encodes object identifiers in base 128', () => {
    expect(derOid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(derOid('2.5.29.17').toString('hex')).toBe('0603551d11');
    expect(() => derOid('1')).toThrow(RangeError);
  });

  it('uses the short length form below 128 bytes and the long form above', () => {
    expect(der(0x04, Buffer.alloc(127)).subarray(0, 2).toString('hex')).toBe('047f');
    expect(der(0x04, Buffer.alloc(128)).subarray(0, 3).toString('hex')).toBe('048180');
    expect(der(0x04, Buffer.alloc(300)).subarray(0, 4).toString('hex')).toBe('0482012c');
  });

  it('writes integers in minimal two’s complement form', () => {
    expect(derSmallInteger(0).toString('hex')).toBe('020100');
    expect(derSmallInteger(2).toString('hex')).toBe('020102');
    expect(derSmallInteger(128).toString('hex')).toBe('02020080');
    expect(derUnsignedInteger(Buffer.from('0000ff', 'hex')).toString('hex')).toBe('020200ff');
    expect(derUnsignedInteger(Buffer.from('00007f', 'hex')).toString('hex')).toBe('02017f');
  });

  it('switches from UTCTime to GeneralizedTime in 2050', () => {
    const utc = derTime(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(utc[0]).toBe(0x17);
    expect(utc.subarray(2).toString('latin1')).toBe('491231235959Z');
    const generalized = derTime(Date.UTC(2050, 0, 1, 0, 0, 0));
    expect(generalized[0]).toBe(0x18);
    expect(generalized.subarray(2).toString('latin1')).toBe('20500101000000Z');
  });

  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['fe80::1:2', 'fe800000000000000000000000010002'],
    ['2001:db8::', '20010db8000000000000000000000000'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::ffff:10.1.2.3', '00000000000000000000ffff0a010203'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
  ])('reads the IP address %s into network-order bytes', (ip, hex) => {
    expect(ipAddressBytes(ip).toString('hex')).toBe(hex);
  });

  it('refuses text that is not an IP address', () => {
    expect(() => ipAddressBytes('localhost')).toThrow(RangeError);
  });
});
