import { type ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, malformed, readString } from '../remote-write/proto-reader.js';
import type { Obj } from './attribute-labels.js';
import { readVarint64, signed64String, word } from './wire-scalars.js';

/**
 * KeyValue and AnyValue messages (attributes) from the wire into the objects
 * protobufjs' toObject would give (`{ key, value: { stringValue | intValue: "…" | … } }`),
 * so attribute-labels.ts renders them exactly as on the JSON path. This is the
 * cold path: the wire decoder caches the labels it builds from these by the
 * attributes' raw bytes, so a series' attributes are decoded once, not per request.
 *
 * Protobuf merge rules apply as in protobufjs: within an AnyValue the last member
 * of the `value` oneof wins; a message field that repeats is merged into the first.
 */

/** Nesting bound for arrays and maps inside AnyValue: deeper input is malformed, not a stack overflow. */
const MAX_DEPTH = 64;

export function wireTypeError(what: string, wt: number, expected: number): Error {
  return malformed(`${what} has wire type ${wt}, expected ${expected}`);
}

/** The attributes (`field`, repeated KeyValue) among the fields in [start, end), in order. */
export function readAttributes(r: ProtoReader, start: number, end: number, field: number, what: string): Obj[] {
  const out: Obj[] = [];
  const outerEnd = r.end;
  const outerPos = r.pos;
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === field) {
      if (wt !== WIRE_LEN) throw wireTypeError(what, wt, WIRE_LEN);
      const e = r.lengthEnd(what);
      out.push(readKeyValue(r, e, 0));
    } else if (f === 0) throw malformed('field number 0');
    else r.skip(wt, f);
  }
  r.end = outerEnd;
  r.pos = outerPos;
  return out;
}

/** One KeyValue whose bytes end at `end`; leaves r.pos at `end`. */
function readKeyValue(r: ProtoReader, end: number, depth: number): Obj {
  const outerEnd = r.end;
  r.end = end;
  const kv: Obj = {};
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) throw wireTypeError('KeyValue.key', wt, WIRE_LEN);
      const e = r.lengthEnd('KeyValue.key');
      kv.key = readString(r.buf, r.pos, e, 'KeyValue.key');
      r.pos = e;
    } else if (field === 2) {
      if (wt !== WIRE_LEN) throw wireTypeError('KeyValue.value', wt, WIRE_LEN);
      const e = r.lengthEnd('KeyValue.value');
      kv.value = readAnyValue(r, e, (kv.value as Obj | undefined) ?? {}, depth + 1);
    } else if (field === 0) throw malformed('field number 0');
    else r.skip(wt, field);
  }
  r.end = outerEnd;
  return kv;
}

const MEMBERS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;

/** Sets oneof member `name` of `into`, dropping any other member (the last member on the wire wins). */
function setMember(into: Obj, name: (typeof MEMBERS)[number], value: unknown): void {
  for (const m of MEMBERS) if (m !== name) delete into[m];
  into[name] = value;
}

/** An AnyValue whose bytes end at `end`, merged into `into`; leaves r.pos at `end`. */
function readAnyValue(r: ProtoReader, end: number, into: Obj, depth: number): Obj {
  if (depth > MAX_DEPTH) throw malformed(`AnyValue nested more than ${MAX_DEPTH} levels deep`);
  const outerEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
      case 7: {
        if (wt !== WIRE_LEN) throw wireTypeError(field === 1 ? 'AnyValue.string_value' : 'AnyValue.bytes_value', wt, WIRE_LEN);
        const e = r.lengthEnd('AnyValue');
        if (field === 1) setMember(into, 'stringValue', readString(r.buf, r.pos, e, 'AnyValue.string_value'));
        // protobufjs renders bytes as base64 (toObject `bytes: String`).
        else setMember(into, 'bytesValue', Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, e - r.pos).toString('base64'));
        r.pos = e;
        break;
      }
      case 2:
      case 3:
        if (wt !== WIRE_VARINT) throw wireTypeError(field === 2 ? 'AnyValue.bool_value' : 'AnyValue.int_value', wt, WIRE_VARINT);
        readVarint64(r, 'AnyValue');
        if (field === 2) setMember(into, 'boolValue', word.lo !== 0 || word.hi !== 0);
        else setMember(into, 'intValue', signed64String());
        break;
      case 4:
        if (wt !== WIRE_FIXED64) throw wireTypeError('AnyValue.double_value', wt, WIRE_FIXED64);
        setMember(into, 'doubleValue', r.double('AnyValue.double_value'));
        break;
      case 5:
      case 6: {
        const name = field === 5 ? 'arrayValue' : 'kvlistValue';
        if (wt !== WIRE_LEN) throw wireTypeError(`AnyValue.${field === 5 ? 'array_value' : 'kvlist_value'}`, wt, WIRE_LEN);
        const e = r.lengthEnd('AnyValue');
        const list = (into[name] as Obj | undefined) ?? {};
        if (into[name] === undefined) setMember(into, name, list);
        readValueList(r, e, list, field === 5, depth);
        break;
      }
      case 0:
        throw malformed('field number 0');
      default:
        r.skip(wt, field);
    }
  }
  r.end = outerEnd;
  return into;
}

/** ArrayValue (`repeated AnyValue values = 1`) or KeyValueList (`repeated KeyValue values = 1`), appended to `list.values`. */
function readValueList(r: ProtoReader, end: number, list: Obj, anyValues: boolean, depth: number): void {
  const outerEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) throw wireTypeError(anyValues ? 'ArrayValue.values' : 'KeyValueList.values', wt, WIRE_LEN);
      const e = r.lengthEnd('values');
      const values = (list.values as Obj[] | undefined) ?? (list.values = []);
      values.push(anyValues ? readAnyValue(r, e, {}, depth + 1) : readKeyValue(r, e, depth));
    } else if (field === 0) throw malformed('field number 0');
    else r.skip(wt, field);
  }
  r.end = outerEnd;
}
