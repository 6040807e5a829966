import { closest } from './did-you-mean.ts';

/** True when Intl knows the zone (IANA names such as Europe/Paris, and UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `zone` is not a time zone, with the zone that was probably meant: a typo ("Europe/Pari"),
 * a city alone ("Paris"), or spaces for underscores ("America/New York").
 */
export function timeZoneProblem(zone: string): string {
  const zones = Intl.supportedValuesOf('timeZone');
  const city = zone.trim().replace(/ /g, '_').toLowerCase();
  const byCity = zones.find((candidate) => candidate.toLowerCase().split('/').at(-1) === city.split('/').at(-1));
  const guess = byCity ?? closest(zone, zones);
  const hint = guess === null ? 'such as Europe/Paris or America/New_York' : `(did you mean "${guess}"?)`;
  return `"${zone}" is not a time zone ${hint}; use a name from the IANA list, e.g. \`node -p "Intl.supportedValuesOf('timeZone')"\``;
}
