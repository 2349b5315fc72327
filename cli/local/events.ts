import type { Command } from 'commander';
import type { RecordedEvent } from '#local/eventbridge/index';
import { readLiveLocalState } from '#local/state-file';
import { stateFilePath } from '../connection';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../exit-codes';

export interface EventsOptions {
  detailType?: string;
}

/** `local events`: the events the local EventBridge accepted, one JSON object a line. */
export const runLocalEvents = async (
  ctx: CommandContext,
  opts: EventsOptions,
  command: Command,
): Promise<void> => {
  const output = ctx.output(command);
  const state = readLiveLocalState(stateFilePath(ctx.options(command), ctx.deps.cwd));
  if (!state.eventBridgeEndpoint) {
    throw new CliError(
      EXIT.USAGE,
      'this local stack has no EventBridge endpoint',
      'restart it with this version: cognito-migrate local start',
    );
  }
  const response = await fetch(new URL('/local/events', state.eventBridgeEndpoint));
  const { events } = (await response.json()) as { events: RecordedEvent[] };
  const shown = events.filter((e) => !opts.detailType || e.detailType === opts.detailType);
  for (const event of shown) output.raw(`${JSON.stringify(event)}\n`);
  output.note(`${shown.length} event(s)`);
};
