/**
 * Reads a WAV file as it streams out of a process: the header first, then PCM as it arrives.
 * A writer that streams cannot know the length when it writes the header, so espeak-ng (like
 * most) puts a placeholder there (0x7ffff000 and its RIFF twin): the data chunk is taken to run
 * to the end of the stream, whatever its length field says.
 */

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/** RIFF chunk ids are four ASCII bytes; compared as little-endian numbers to avoid a string per chunk */
const RIFF = 0x46464952;
const WAVE = 0x45564157;
const FMT = 0x20746d66;
const DATA = 0x61746164;
const PCM_FORMAT = 1;
/** WAVE_FORMAT_EXTENSIBLE, which some writers use even for plain PCM */
const EXTENSIBLE_FORMAT = 0xfffe;

export class WavStreamReader {
  format: WavFormat | undefined;
  private header: Buffer = Buffer.alloc(0);
  private inData = false;

  /**
   * The PCM bytes in this piece of the stream (empty while the header is still coming). Throws
   * WavFormatError for a stream that is not 16-bit PCM WAV.
   */
  push(bytes: Buffer): Buffer {
    if (this.inData) return bytes;
    this.header = this.header.length === 0 ? bytes : Buffer.concat([this.header, bytes]);
    const start = this.dataStart();
    if (start === undefined) return Buffer.alloc(0);
    this.inData = true;
    const rest = this.header.subarray(start);
    this.header = Buffer.alloc(0);
    return rest;
  }

  /** Where PCM starts in the bytes held so far, once the header is complete. */
  private dataStart(): number | undefined {
    const head = this.header;
    if (head.length < 12) return undefined;
    if (head.readUInt32LE(0) !== RIFF || head.readUInt32LE(8) !== WAVE) {
      throw new WavFormatError('not a RIFF/WAVE stream');
    }
    let offset = 12;
    while (offset + 8 <= head.length) {
      const id = head.readUInt32LE(offset);
      const size = head.readUInt32LE(offset + 4);
      const body = offset + 8;
      if (id === DATA) {
        if (!this.format) throw new WavFormatError('the data chunk comes before the fmt chunk');
        return body;
      }
      // chunks are padded to an even length
      const next = body + size + (size & 1);
      if (next > head.length) return undefined;
      if (id === FMT) this.format = readFormat(head.subarray(body, body + size));
      offset = next;
    }
    return undefined;
  }
}

function readFormat(fmt: Buffer): WavFormat {
  if (fmt.length < 16) throw new WavFormatError('the fmt chunk is too short');
  const tag = fmt.readUInt16LE(0);
  const format = {
    channels: fmt.readUInt16LE(2),
    sampleRate: fmt.readUInt32LE(4),
    bitsPerSample: fmt.readUInt16LE(14),
  };
  if ((tag !== PCM_FORMAT && tag !== EXTENSIBLE_FORMAT) || format.bitsPerSample !== 16) {
    throw new WavFormatError(`expected 16-bit PCM, got format ${tag} with ${format.bitsPerSample} bits`);
  }
  if (format.channels !== 1) throw new WavFormatError(`expected mono audio, got ${format.channels} channels`);
  if (format.sampleRate <= 0) throw new WavFormatError('the sample rate is zero');
  return format;
}

/** A complete WAV file around 16-bit mono PCM, for an upload. */
export function wavFile(pcm: Uint8Array, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.writeUInt32LE(RIFF, 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.writeUInt32LE(WAVE, 8);
  header.writeUInt32LE(FMT, 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(PCM_FORMAT, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.writeUInt32LE(DATA, 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
