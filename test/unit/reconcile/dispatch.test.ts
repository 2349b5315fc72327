import { InvalidInputError } from '#shared/errors';
import { ManualClock } from '#shared/clock';
import { dispatch } from '../../../functions/reconcile/dispatch';
import { fakeDeps } from './fakes';

describe('dispatch', () => {
  const { deps, targetMock, sourceMock } = fakeDeps({
    doc: { send: jest.fn() } as never,
    tableName: 'migration',
    clock: new ManualClock(),
  });

  it.each([
    [{}, /action must be/],
    [{ action: 'purge' }, /action must be/],
    [{ action: 'reconcile', dryRun: 'yes' }, /dryRun must be a boolean/],
    [{ action: 'reset-campaign', limit: 0 }, /limit must be a positive integer/],
    [{ action: 'reset-campaign', limit: 2.5 }, /limit must be a positive integer/],
  ])('rejects %j before touching the table or a pool', async (event, message) => {
    await expect(dispatch(event, deps)).rejects.toThrow(InvalidInputError);
    await expect(dispatch(event, deps)).rejects.toThrow(message);
    expect(deps.table.doc.send).not.toHaveBeenCalled();
    expect(targetMock.calls()).toHaveLength(0);
    expect(sourceMock.calls()).toHaveLength(0);
  });
});
