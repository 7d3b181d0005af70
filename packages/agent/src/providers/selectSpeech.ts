/**
 * Which ears and voice the agent gets at start: the configured OpenAI-compatible servers, else
 * the Debian engines when they are installed, else none (voice is off; text keeps working), and
 * what to install for the node to say so at start.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OpenAiSttProvider, type OpenAiSttConfig } from './stt/OpenAiSttProvider.ts';
import { POCKETSPHINX_MODEL_DIR, PocketsphinxStt } from './stt/PocketsphinxStt.ts';
import type { SttProvider } from './stt/types.ts';
import { EspeakTts } from './tts/EspeakTts.ts';
import { OpenAiTtsProvider, type OpenAiTtsConfig } from './tts/OpenAiTtsProvider.ts';
import type { TtsProvider } from './tts/types.ts';

export type SttConfig = { kind: 'openai' } & OpenAiSttConfig;
export type TtsConfig = { kind: 'openai' } & OpenAiTtsConfig;

export interface SpeechSelectionConfig {
  stt?: SttConfig;
  tts?: TtsConfig;
}

export interface SpeechProviders {
  stt?: SttProvider;
  tts?: TtsProvider;
}

/** Where the Debian engines are looked for; tests point it elsewhere to play a bare machine. */
export interface SpeechEnginePaths {
  /** directories searched for the programs (default: PATH) */
  searchPath?: readonly string[];
  /** pocketsphinx-en-us's model directory */
  pocketsphinxModel?: string;
}

export interface MissingSpeechEngine {
  side: 'stt' | 'tts';
  /** the Debian packages that would provide it */
  debianPackages: string[];
  /** one line for the node's start-up report */
  message: string;
}

const POCKETSPHINX_PROGRAM = 'pocketsphinx_continuous';
const ESPEAK_PROGRAM = 'espeak-ng';

/**
 * A configured server is used even if it does not answer yet, as for the LLM: a remote API may be
 * briefly down, and silently swapping engines would surprise the operator.
 */
export async function selectSpeech(
  config: SpeechSelectionConfig = {},
  paths: SpeechEnginePaths = {},
): Promise<SpeechProviders> {
  const providers: SpeechProviders = {};
  if (config.stt?.kind === 'openai') {
    const { kind: _kind, ...settings } = config.stt;
    providers.stt = new OpenAiSttProvider(settings);
  } else {
    const binary = findProgram(POCKETSPHINX_PROGRAM, paths);
    if (binary && hasPocketsphinxModel(paths))
      providers.stt = new PocketsphinxStt({
        binary,
        ...(paths.pocketsphinxModel ? { modelDirectory: paths.pocketsphinxModel } : {}),
      });
  }
  if (config.tts?.kind === 'openai') {
    const { kind: _kind, ...settings } = config.tts;
    providers.tts = new OpenAiTtsProvider(settings);
  } else {
    const binary = findProgram(ESPEAK_PROGRAM, paths);
    // an espeak-ng that cannot list its voices will not speak either
    if (binary) providers.tts = await EspeakTts.open({ binary }).catch(() => undefined);
  }
  return providers;
}

/** What voice lacks on this machine, with the Debian packages that would give it; empty when nothing. */
export function missingSpeechEngines(
  config: SpeechSelectionConfig = {},
  paths: SpeechEnginePaths = {},
): MissingSpeechEngine[] {
  const missing: MissingSpeechEngine[] = [];
  if (!config.stt) {
    const debianPackages = [
      ...(findProgram(POCKETSPHINX_PROGRAM, paths) ? [] : ['pocketsphinx']),
      ...(hasPocketsphinxModel(paths) ? [] : ['pocketsphinx-en-us']),
    ];
    if (debianPackages.length > 0) {
      missing.push({
        side: 'stt',
        debianPackages,
        message:
          `voice input is off: install the Debian package${debianPackages.length > 1 ? 's' : ''} ` +
          `${debianPackages.join(' ')} (English), or configure an OpenAI-compatible /audio/transcriptions server`,
      });
    }
  }
  if (!config.tts && !findProgram(ESPEAK_PROGRAM, paths)) {
    missing.push({
      side: 'tts',
      debianPackages: ['espeak-ng'],
      message:
        'voice output is off: install the Debian package espeak-ng, or configure an OpenAI-compatible /audio/speech server',
    });
  }
  return missing;
}

function findProgram(name: string, paths: SpeechEnginePaths): string | undefined {
  const directories = paths.searchPath ?? (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function hasPocketsphinxModel(paths: SpeechEnginePaths): boolean {
  const dir = paths.pocketsphinxModel ?? POCKETSPHINX_MODEL_DIR;
  return existsSync(join(dir, 'en-us', 'mdef')) && existsSync(join(dir, 'en-us.lm.bin'));
}
