import type { MyResource } from '../../api/api-types.ts';
import { CopyField } from '../../components/copy-button.tsx';

/** The file name the connection URI's sslrootcert names; the CA link saves under it. */
const CA_FILE_NAME = 'stint-ca.pem';

/** Ready-to-paste ways to connect: the URI for drivers and GUI tools, and a psql command. */
export function ConnectionStrings({ resource, caUrl }: { resource: MyResource; caUrl: string | null }) {
  const c = resource.connection;
  if (c === null) {
    // The server answers null when no gateway listener serves this kind of resource: there is nothing to connect to here.
    return (
      <p className="hint">
        No connection string for {resource.name}: this gateway does not listen for {resource.kind} connections. Ask an admin how to reach it.
      </p>
    );
  }
  return (
    <div className="connection">
      <CopyField value={c.uri} label={`Connection URI for ${resource.name}`} />
      <CopyField value={c.psql} label={`psql command for ${resource.name}`} />
      <p className="hint">
        Host {c.host}, port {c.port}, database {c.database}, user {c.user}, sslmode {c.sslmode}. Use your Stint token as the password (PGPASSWORD); it
        is never part of these strings.
        {caUrl === null ? null : (
          <>
            {' '}
            Save the gateway&apos;s{' '}
            <a href={caUrl} download={CA_FILE_NAME}>
              CA certificate ({CA_FILE_NAME})
            </a>{' '}
            in the folder you connect from.
          </>
        )}
      </p>
    </div>
  );
}
