import { chooseStrategy } from '../../../functions/reconcile/repair';
import { aConfig } from './fakes';

describe('chooseStrategy', () => {
  it('lists the target pool early in the window, when PENDING users far outnumber target users / 15', () => {
    // 100,000 PENDING at 60 UserRead/s = 1,667 s; 5,000 target users = 84 ListUsers pages at 15/s = 5.6 s.
    const { strategy, seconds } = chooseStrategy({ pending: 100_000, targetUsers: 5_000 }, aConfig());

    expect(strategy).toBe('list-users');
    expect(seconds['list-users']).toBeCloseTo(84 / 15);
    expect(seconds['admin-get-user']).toBeCloseTo(100_000 / 60);
  });

  it('asks per user late in the window, when few users are still PENDING', () => {
    const { strategy } = chooseStrategy({ pending: 500, targetUsers: 95_000 }, aConfig());

    expect(strategy).toBe('admin-get-user');
  });

  it('weighs the per-category quota shares', () => {
    const config = aConfig({ quotaShareByCategory: { UserList: 0.01 } });

    expect(chooseStrategy({ pending: 10_000, targetUsers: 10_000 }, config).strategy).toBe('admin-get-user');
  });
});
