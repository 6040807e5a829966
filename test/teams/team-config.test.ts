import { describe, expect, it } from 'vitest';
import { teamConfig, TEAM_ITEMS_YAML } from './teams-harness.ts';

function errorOf(itemsYaml: string): string {
  try {
    teamConfig('', itemsYaml);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('team configuration', () => {
  it('accepts seats as a number or per pricing option, and extra-seat items for a team item', () => {
    const config = teamConfig(
      '',
      TEAM_ITEMS_YAML.replace('team: { seats: 2 }', 'team: { seats: { "78572": 5, "78573": 20 } }'),
    );
    expect(config.items.find((item) => item.item === 'product-50')!.team).toEqual({
      seats: { '78572': 5, '78573': 20 },
      leaderTakesSeat: false,
    });
    expect(config.items.find((item) => item.item === 'bump-50')!.addsSeats).toEqual({ to: 'product-50', seats: 3 });
  });

  it('says which team item an extra-seat item probably meant, and refuses the mistakes a person can make', () => {
    expect(
      errorOf(
        TEAM_ITEMS_YAML.replace('addsSeats: { to: product-50, seats: 3 }', 'addsSeats: { to: product-5, seats: 3 }'),
      ),
    ).toMatch(
      /items\[1\]\.addsSeats\.to: "product-5" is not a team item \(did you mean "product-50"\?\); team items: product-50, product-51/,
    );
    expect(errorOf(TEAM_ITEMS_YAML.replace('team: { seats: 2 }', 'team: { seats: 0 }'))).toMatch(
      /items\[0\]\.team\.seats: .*expected at least 1 seat/,
    );
    expect(errorOf(TEAM_ITEMS_YAML.replace('team: { seats: 2 }', 'team: { seats: { basic: 2 } }'))).toMatch(
      /expected a ThriveCart pricing option id such as 78572/,
    );
    expect(
      errorOf(TEAM_ITEMS_YAML.replace('team: { seats: 2 }', 'team: { seats: 2, leaderTakesSeats: true }')),
    ).toMatch(/leaderTakesSeats.*did you mean "leaderTakesSeat"/);
    expect(
      errorOf(
        TEAM_ITEMS_YAML.replace(
          'grants: [inner-circle], team: { seats: 2, leaderTakesSeat: true }',
          'grants: [], team: { seats: 2 }',
        ),
      ),
    ).toMatch(/items\[3\]\.grants: team item "product-51" grants no offering/);
    expect(
      errorOf(
        TEAM_ITEMS_YAML.replace(
          'addsSeats: { to: product-50, seats: 1 }',
          'addsSeats: { to: product-50, seats: 1 }, team: { seats: 1 }, grants: [inner-circle]',
        ),
      ),
    ).toMatch(/items\[2\]\.addsSeats: item "upsell-50" is a team item; it cannot also add seats/);
  });
});
