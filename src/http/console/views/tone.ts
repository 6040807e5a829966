/** A badge's colour, by meaning: fine, broken, needs a look, neutral. */
export type Tone = 'ok' | 'bad' | 'warn' | 'plain';
