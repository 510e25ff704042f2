import { beforeAll, describe, expect, it } from 'vitest';
import { shippedConfig } from '../../test/support/config.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { crossCheck } from './cross-check.ts';

let config: LeadloopConfig;
beforeAll(async () => {
  ({ config } = await shippedConfig());
});

const edited = (edit: (c: LeadloopConfig) => void): LeadloopConfig => {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
};

describe('a next step for every hand-off (crossCheck)', () => {
  it('the shipped config gives every temperature that can be handed off a task', () => {
    expect(crossCheck(config)).toEqual([]);
  });

  it('refuses a playbook with no task for cold when immediate sources hand off whatever the score', () => {
    const noColdTask = edited((c) => {
      c.sync.playbook.cold = [];
    });
    expect(crossCheck(noColdTask)).toEqual([
      { file: 'sync', path: ['playbook', 'cold'], message: 'cold leads can be handed off (by an immediate source) but playbook.cold gives sales no task: add one' },
    ]);
  });

  it('asks for no cold task when only the score hands off and min_score is in the warm band; a warm task is then needed', () => {
    const scoreOnly = (c: LeadloopConfig) => {
      delete c.scoring.mql.immediate_sources;
      c.sync.playbook.cold = [];
    };
    expect(crossCheck(edited(scoreOnly))).toEqual([]);
    expect(
      crossCheck(
        edited((c) => {
          scoreOnly(c);
          c.sync.playbook.warm = [];
        }),
      ),
    ).toEqual([{ file: 'sync', path: ['playbook', 'warm'], message: 'warm leads can be handed off (mql.min_score is 55) but playbook.warm gives sales no task: add one' }]);
  });
});
