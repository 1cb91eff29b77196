import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed one-click acknowledgement links: `<externalUrl>/ack/<token>`.
 *
 * The token is base64url of
 *
 *   version (1 byte, 1) | kind (1 byte: 1 group, 2 alert, 3 remediation execution) | expiry (uint32, unix seconds, big-endian)
 *   | key (UTF-8: the dispatcher's group key, or an alert fingerprint) | HMAC-SHA256(secret, all of the above) (32 bytes)
 *
 * so a link names what it acknowledges and until when, and cannot be forged or
 * altered without the secret (`server.ackLinkSecret`). The token carries the key,
 * not the alerts: the alerts of a group are looked up when the link is used, so a
 * link stays short however large the group is. The secret itself never leaves
 * this module.
 */

/** `execution`: a remediation waiting for approval (`/approve/<token>`). */
export type AckTargetKind = 'group' | 'alert' | 'execution';

export interface AckTarget {
  kind: AckTargetKind;
  /** Group key (kind group) or alert fingerprint (kind alert). */
  key: string;
}

export interface VerifiedAckTarget extends AckTarget {
  /** Unix ms. */
  expiresAt: number;
}

/** Why a token was refused: `invalid` (malformed, tampered or signed with another secret) or `expired`. */
export class AckLinkError extends Error {
  constructor(
    readonly reason: 'invalid' | 'expired',
    message: string,
  ) {
    super(message);
    this.name = 'AckLinkError';
  }
}

const VERSION = 1;
const KINDS: Record<AckTargetKind, number> = { group: 1, alert: 2, execution: 3 };
const HEADER = 6;
const MAC = 32;
const MAX_KEY_BYTES = 256;
const TOKEN_RE = /^[A-Za-z0-9_-]+$/;

/** Minimum secret length, as for webhook signing secrets. */
export const MIN_ACK_SECRET_LENGTH = 16;

function mac(secret: string, payload: Uint8Array): Buffer {
  return createHmac('sha256', secret).update('vigil-ack\0').update(payload).digest();
}

/** A token for `target`, valid until `expiresAt` (unix ms, rounded down to the second). */
export function signAckToken(secret: string, target: AckTarget, expiresAt: number): string {
  if (secret.length < MIN_ACK_SECRET_LENGTH) throw new RangeError(`ack link secret: use at least ${MIN_ACK_SECRET_LENGTH} characters`);
  const key = Buffer.from(target.key, 'utf8');
  if (key.length === 0 || key.length > MAX_KEY_BYTES) throw new RangeError(`ack link key: 1 to ${MAX_KEY_BYTES} bytes`);
  const seconds = Math.floor(expiresAt / 1000);
  if (!(seconds > 0 && seconds <= 0xffffffff)) throw new RangeError('ack link expiry out of range');
  const payload = Buffer.alloc(HEADER + key.length);
  payload[0] = VERSION;
  payload[1] = KINDS[target.kind];
  payload.writeUInt32BE(seconds, 2);
  key.copy(payload, HEADER);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** Checks a token's signature, then its expiry. Throws AckLinkError. */
export function verifyAckToken(secret: string, token: string, now = Date.now()): VerifiedAckTarget {
  const invalid = () => new AckLinkError('invalid', 'This acknowledgement link is not valid: it was altered, truncated, or signed by another Vigil.');
  if (typeof token !== 'string' || !TOKEN_RE.test(token) || token.length > 4 * Math.ceil((HEADER + MAX_KEY_BYTES + MAC) / 3)) throw invalid();
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < HEADER + 1 + MAC || raw.toString('base64url') !== token) throw invalid();
  const payload = raw.subarray(0, raw.length - MAC);
  const given = raw.subarray(raw.length - MAC);
  if (!timingSafeEqual(given, mac(secret, payload))) throw invalid();
  if (payload[0] !== VERSION) throw invalid();
  const kind = (Object.keys(KINDS) as AckTargetKind[]).find((k) => KINDS[k] === payload[1]);
  if (!kind) throw invalid();
  const expiresAt = payload.readUInt32BE(2) * 1000;
  if (now >= expiresAt) throw new AckLinkError('expired', `This acknowledgement link expired at ${new Date(expiresAt).toISOString()}. Acknowledge from a newer notification or with \`vigil alerts ack\`.`);
  return { kind, key: payload.subarray(HEADER).toString('utf8'), expiresAt };
}

export interface AckLinksOptions {
  secret: string;
  /** Base URL of Vigil as people reach it (no trailing slash), read at each call (the listen address is known late). */
  baseUrl: () => string;
  /** Validity of a new link, ms. */
  ttlMs: number;
  now?: () => number;
}

/** Makes and checks ack links with one secret. */
export class AckLinks {
  readonly #secret: string;
  private readonly baseUrl: () => string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: AckLinksOptions) {
    if (opts.secret.length < MIN_ACK_SECRET_LENGTH) throw new RangeError(`ack link secret: use at least ${MIN_ACK_SECRET_LENGTH} characters`);
    this.#secret = opts.secret;
    this.baseUrl = opts.baseUrl;
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? Date.now;
  }

  token(target: AckTarget, now = this.now()): string {
    return signAckToken(this.#secret, target, now + this.ttlMs);
  }

  /** `<baseUrl>/ack/<token>`, or `<baseUrl>/approve/<token>` for an execution. */
  url(target: AckTarget, now = this.now()): string {
    return `${this.baseUrl().replace(/\/+$/, '')}/${target.kind === 'execution' ? 'approve' : 'ack'}/${this.token(target, now)}`;
  }

  /** A link valid until `expiresAt` (an approval lasts as long as its request). */
  urlUntil(target: AckTarget, expiresAt: number): string {
    return `${this.baseUrl().replace(/\/+$/, '')}/${target.kind === 'execution' ? 'approve' : 'ack'}/${signAckToken(this.#secret, target, expiresAt)}`;
  }

  verify(token: string, now = this.now()): VerifiedAckTarget {
    return verifyAckToken(this.#secret, token, now);
  }

  /** Never the secret. */
  toJSON(): Record<string, unknown> {
    return { ttlMs: this.ttlMs };
  }
}
