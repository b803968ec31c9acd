// A real OpenLDAP server for the LDAP source's tests and benchmark: its own slapd on 127.0.0.1, a free port, a temp
// directory, the core/cosine/inetorgperson schemas plus a small Active Directory-like schema (objectGUID,
// userAccountControl, whenChanged, objectCategory and a `user` class), an mdb database, a read-only bind account, and
// people loaded offline with slapadd (20,000 in under a second here) or online with ldapadd/ldapmodify. Every server is
// killed when the test process exits, and by the kernel if that process dies (setpriv --pdeathsig).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_DN, PEOPLE_DN, type TestUser, testUser, userLdif } from './test-people.test-helpers.js';

export const SLAPD = process.env.SLAPD_PATH ?? '/usr/sbin/slapd';
const SLAPADD = join(SLAPD, '..', 'slapadd');
const LDAPMODIFY = '/usr/bin/ldapmodify';
const SETPRIV = '/usr/bin/setpriv';
const SCHEMA_DIR = '/etc/ldap/schema';

/** True when slapd, slapadd and ldap-utils are installed (Debian: `apt-get install -y slapd ldap-utils`). */
export const hasSlapd = existsSync(SLAPD) && existsSync(SLAPADD) && existsSync(LDAPMODIFY);
if (!hasSlapd) {
  const message = `\n!!! LDAP tests SKIPPED: no OpenLDAP at ${SLAPD} (with slapadd) and ${LDAPMODIFY}. Install them with: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils\n`;
  if (process.env.CI) throw new Error(message); // CI installs them; a skip there would hide a failure.
  console.warn(message);
}

const READER_DN = `cn=qdesk-reader,ou=Service,${BASE_DN}`;
const ADMIN_DN = `cn=admin,${BASE_DN}`;

/** A private OID arc (2.25 is for UUID-derived OIDs, needing no registration). */
const ARC = '2.25.133929427302311548100758659981642490969';

/** An AD-like schema of our own: the attributes and class the LDAP source reads on Active Directory. */
const AD_LITE_SCHEMA = `
objectidentifier QdeskTestAttr ${ARC}.1
objectidentifier QdeskTestClass ${ARC}.2
attributetype ( QdeskTestAttr:1 NAME 'objectGUID' DESC 'AD-like 16-byte object GUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( QdeskTestAttr:2 NAME 'userAccountControl' DESC 'AD-like account flags, 0x2 = disabled' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( QdeskTestAttr:3 NAME 'whenChanged' DESC 'AD-like time of the last change' EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE )
attributetype ( QdeskTestAttr:4 NAME 'objectCategory' DESC 'AD-like category; AD holds a DN and matches its short name, this holds the short name' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( QdeskTestClass:1 NAME 'user' DESC 'AD-like user' SUP inetOrgPerson STRUCTURAL MUST objectGUID MAY ( userAccountControl $ whenChanged $ objectCategory ) )
`;

function baseLdif(readerPassword: string): string {
  return [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n`,
    `dn: ou=Service,${BASE_DN}\nobjectClass: organizationalUnit\nou: Service\n`,
    `dn: ${READER_DN}\nobjectClass: person\ncn: qdesk-reader\nsn: reader\nuserPassword: ${readerPassword}\n`,
    `dn: ${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: People\n`,
  ].join('\n');
}

function slapdConf(dir: string, adminPassword: string, tls: boolean): string {
  return `
include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/inetorgperson.schema
include ${dir}/ad-lite.schema
pidfile ${dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
${tls ? `TLSCertificateFile ${dir}/cert.pem\nTLSCertificateKeyFile ${dir}/key.pem\n` : ''}
database mdb
maxsize 1073741824
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${adminPassword}
directory ${dir}/db
index objectClass eq
index whenChanged eq
limits dn.exact="${READER_DN}" size=unlimited time=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="${READER_DN}" read by * none
`;
}

/** Runs a command with `input` on stdin; rejects with its stderr when it fails. */
function run(command: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}: ${output.trim()}`)),
    );
    child.stdin.end(input);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Servers still running, killed on exit whatever happens to the test. */
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A running test server. */
export interface Slapd {
  /** `ldap://127.0.0.1:<port>` (StartTLS is offered on it when started with `tls`). */
  url: string;
  /** `ldaps://127.0.0.1:<port>` when started with `tls`. */
  ldapsUrl: string | null;
  /** PEM of the self-signed certificate (issued to localhost and 127.0.0.1), to trust in `tlsOptions.ca`. */
  certificate: string | null;
  /** The read-only bind account the LDAP source uses. */
  reader: { bindDN: string; password: string };
  /** Applies an LDIF of change records as the directory's administrator (ldapmodify). */
  modify(ldif: string): Promise<void>;
  /** Adds people online (ldapadd). */
  add(users: TestUser[]): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; the data stays. */
  kill(): Promise<void>;
  /** Starts the killed server again on the same ports, with the same data. */
  restart(): Promise<void>;
  /** Kills the server and removes its directory. */
  stop(): Promise<void>;
}

/** What to start: people to load offline (a count of {@link testUser}s, or the people themselves), and TLS. */
export interface SlapdOptions {
  users?: number | TestUser[];
  tls?: boolean;
}

const TEMP_PREFIX = 'qdesk-slapd-';

/**
 * Removes what a test process killed outright left behind (its exit handler never ran; the kernel killed its slapd):
 * directories over an hour old whose slapd is not running.
 */
function sweepLeftovers(): void {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(TEMP_PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < 3_600_000) continue;
      const pid = Number(readFileSync(join(dir, 'slapd.pid'), 'utf8').trim());
      if (pid > 0 && isRunning(pid)) continue;
    } catch {
      // no pid file: slapd never started there, or the directory went meanwhile
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a slapd of its own with the test directory loaded. */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  sweepLeftovers();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  tempDirs.add(dir);
  const adminPassword = randomBytes(12).toString('hex');
  const readerPassword = randomBytes(12).toString('hex');
  const tls = options.tls === true;
  writeFileSync(join(dir, 'ad-lite.schema'), AD_LITE_SCHEMA);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, adminPassword, tls));
  mkdirSync(join(dir, 'db'));
  await writeLdif(join(dir, 'load.ldif'), readerPassword, options.users ?? []);
  await run(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'load.ldif')]);
  if (tls) {
    await run('openssl', [
      ...[
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
      ],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ]);
  }

  let port = 0;
  let tlsPort = 0;
  let child: ChildProcess | null = null;
  const launch = async () => {
    // A port picked free can be taken before slapd binds it: try again with others (three times at most).
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1 || port === 0) {
        port = await freePort();
        tlsPort = tls ? await freePort() : 0;
      }
      const listen = [`ldap://127.0.0.1:${port}/`, ...(tls ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(
        ' ',
      );
      const slapdArgs = ['-f', join(dir, 'slapd.conf'), '-h', listen, '-d', '0'];
      const started = existsSync(SETPRIV)
        ? spawn(SETPRIV, ['--pdeathsig', 'KILL', SLAPD, ...slapdArgs], {
            stdio: ['ignore', 'ignore', 'pipe'],
          })
        : spawn(SLAPD, slapdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      let exited = false;
      started.once('exit', () => {
        exited = true;
        running.delete(started);
      });
      running.add(started);
      // Ready when it accepts connections: at most 5 s.
      for (let i = 0; i < 250 && !exited; i += 1) {
        if (await canConnect(port)) break;
        await delay(20);
      }
      if (!exited && (await canConnect(port))) {
        child = started;
        return;
      }
      started.kill('SIGKILL');
      if (attempt >= 3) throw new Error(`slapd did not start: ${stderr.trim() || 'no output'}`);
    }
  };
  const kill = async () => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await launch();

  const admin = () => ['-x', '-H', `ldap://127.0.0.1:${port}`, '-D', ADMIN_DN, '-w', adminPassword];
  return {
    get url() {
      return `ldap://127.0.0.1:${port}`;
    },
    get ldapsUrl() {
      return tls ? `ldaps://127.0.0.1:${tlsPort}` : null;
    },
    certificate: tls ? readFileSync(join(dir, 'cert.pem'), 'utf8') : null,
    reader: { bindDN: READER_DN, password: readerPassword },
    async modify(ldif) {
      await run(LDAPMODIFY, admin(), ldif);
    },
    async add(users) {
      await run(LDAPMODIFY, ['-a', ...admin()], users.map(userLdif).join('\n'));
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** Writes the base entries and the people to `path`, streaming (20,000 people are about 10 MB). */
async function writeLdif(path: string, readerPassword: string, users: number | TestUser[]): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string) =>
    out.write(`${text}\n`) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', resolve));
  await write(baseLdif(readerPassword));
  const count = typeof users === 'number' ? users : users.length;
  for (let n = 1; n <= count; n += 1) {
    await write(userLdif(typeof users === 'number' ? testUser(n) : users[n - 1]!));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
