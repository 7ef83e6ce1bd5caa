/**
 * The local stand-in for the user pool's token endpoint: an RS256 key pair made at start-up, its
 * public half served as a JWKS, and access tokens for each front end's app client carrying the
 * scopes that client is allowed in the assembly. Signing and checking are jose's.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload, type KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';

/** A front end's app client, as the assembly defines it. */
export interface AppClient {
  readonly frontEnd: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
}

/** The claims the edge reads from a checked token. */
export interface AccessClaims extends JWTPayload {
  readonly client_id: string;
  readonly scope: string;
  readonly token_use: 'access';
}

const KEY_ID = 'local-1';
const TOKEN_LIFETIME = '1h';

export class LocalIssuer {
  readonly #clients: readonly AppClient[];
  readonly #privateKey: KeyLike;
  readonly #jwks: JSONWebKeySet;
  readonly #keySet: ReturnType<typeof createLocalJWKSet>;
  /** The `iss` of every token. */
  readonly issuer: string;

  private constructor(issuer: string, clients: readonly AppClient[], privateKey: KeyLike, jwks: JSONWebKeySet) {
    this.issuer = issuer;
    this.#clients = clients;
    this.#privateKey = privateKey;
    this.#jwks = jwks;
    this.#keySet = createLocalJWKSet(jwks);
  }

  static async create(issuer: string, clients: readonly AppClient[]): Promise<LocalIssuer> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
    return new LocalIssuer(issuer, clients, privateKey, { keys: [jwk] });
  }

  /** The public keys, as `/.well-known/jwks.json` serves them. */
  get jwks(): JSONWebKeySet {
    return this.#jwks;
  }

  /** The front ends that have an app client. */
  get frontEnds(): string[] {
    return this.#clients.map((client) => client.frontEnd);
  }

  /** An access token for `frontEnd`'s app client, or undefined when there is no such client. */
  async tokenFor(frontEnd: string, subject = 'local-user'): Promise<string | undefined> {
    const client = this.#clients.find((candidate) => candidate.frontEnd === frontEnd);
    if (client === undefined) return undefined;
    return new SignJWT({ client_id: client.clientName, scope: client.scopes.join(' '), token_use: 'access', username: subject })
      .setProtectedHeader({ alg: 'RS256', kid: KEY_ID })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(TOKEN_LIFETIME)
      .sign(this.#privateKey);
  }

  /** The token's claims if its signature, issuer and expiry hold; throws otherwise. */
  async verify(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.#keySet, { issuer: this.issuer, algorithms: ['RS256'] });
    if (payload.token_use !== 'access' || typeof payload.scope !== 'string' || typeof payload.client_id !== 'string') throw new Error('not an access token');
    return payload as AccessClaims;
  }
}
