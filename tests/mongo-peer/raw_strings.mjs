// Makes the MongoDB wire-protocol peer (../shared/mongo-peer, CongoDB on js-bson) keep the bytes of
// a BSON string as they came, as mongod does: mongod does not check that strings are UTF-8, so a
// document written by a client that does not check either (an older Clinic, another tool) is
// stored and read back byte for byte. js-bson refuses such a string when it decodes a request
// ("Invalid UTF-8 string in BSON document"), so without this the peer answers an error where
// MongoDB stores the document, and the stores' handling of unreadable documents could not be
// tested on it.
//
// Loaded before the server: node --import <peer folder>/raw_strings.mjs <peer folder>/server.mjs
// (copied into the peer's folder, so that `bson` is the peer's own module instance).
//
// Each byte that is not part of valid UTF-8 becomes a lone low surrogate U+DC80–U+DCFF in the
// JavaScript string (Python's "surrogateescape"), and becomes that byte again when the string is
// written: valid UTF-8 never decodes to a lone surrogate, so every string round-trips exactly.
import { onDemand } from 'bson';

const { ByteUtils } = onDemand;
const strictToUtf8 = ByteUtils.toUTF8;
const plainByteLength = ByteUtils.utf8ByteLength;
const plainEncodeInto = ByteUtils.encodeUTF8Into;

// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF) that starts at bytes[i], or 0 when none does.
function sequenceLength(bytes, i, end) {
  const lead = bytes[i];
  const within = (k, low, high) => i + k < end && bytes[i + k] >= low && bytes[i + k] <= high;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return within(1, 0x80, 0xbf) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return within(1, low, high) && within(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return within(1, low, high) && within(2, 0x80, 0xbf) && within(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

function decodeKeepingBadBytes(buffer, start, end) {
  const bytes = ByteUtils.toLocalBufferType(buffer);
  let text = '';
  let run = start;
  for (let i = start; i < end;) {
    const length = sequenceLength(bytes, i, end);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', run, i) + String.fromCharCode(0xdc00 + bytes[i]);
    i += 1;
    run = i;
  }
  return text + bytes.toString('utf8', run, end);
}

// A lone low surrogate U+DC80–U+DCFF: one byte that was not valid UTF-8.
const escapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

ByteUtils.toUTF8 = function (buffer, start, end) {
  try {
    return strictToUtf8.call(this, buffer, start, end, true);
  } catch {
    return decodeKeepingBadBytes(buffer, start, end);
  }
};

ByteUtils.utf8ByteLength = function (input) {
  const escapes = input.match(escapedByte);
  // Node writes a lone surrogate as the three bytes of U+FFFD; each stands for one byte here.
  return plainByteLength.call(this, input) - (escapes ? 2 * escapes.length : 0);
};

ByteUtils.encodeUTF8Into = function (buffer, source, byteOffset) {
  if (source.search(escapedByte) < 0) return plainEncodeInto.call(this, buffer, source, byteOffset);
  const bytes = ByteUtils.toLocalBufferType(buffer);
  let offset = byteOffset;
  let run = 0;
  for (const escape of source.matchAll(escapedByte)) {
    offset += bytes.write(source.slice(run, escape.index), offset, 'utf8');
    bytes[offset++] = source.charCodeAt(escape.index) - 0xdc00;
    run = escape.index + 1;
  }
  offset += bytes.write(source.slice(run), offset, 'utf8');
  return offset - byteOffset;
};
