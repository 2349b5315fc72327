import type { Command } from 'commander';
import { readLiveLocalState } from '#local/state-file';
import { stateFilePath } from '../connection';
import type { CommandContext } from '../context';

export interface OutboxOptions {
  username?: string;
  pool?: string;
}

/** `local outbox`: asks the running emulator what it "sent". */
export const runLocalOutbox = async (
  ctx: CommandContext,
  opts: OutboxOptions,
  command: Command,
): Promise<void> => {
  const output = ctx.output(command);
  const state = readLiveLocalState(stateFilePath(ctx.options(command), ctx.deps.cwd));
  const url = new URL('/local/outbox', state.cognitoEndpoint);
  url.searchParams.set('userPoolId', opts.pool ?? state.target.userPoolId);
  if (opts.username) url.searchParams.set('username', opts.username);
  const response = await fetch(url);
  const { messages } = (await response.json()) as {
    messages: {
      at: number;
      username: string;
      kind: string;
      medium: string;
      destination: string;
      code?: string;
    }[];
  };
  output.result(messages, () =>
    messages.length === 0
      ? ['no messages']
      : messages.map(
          (m) =>
            `${new Date(m.at).toISOString()}  ${m.kind.padEnd(12)} ${m.medium.padEnd(5)} ${m.username}  ${m.destination}${m.code ? `  code ${m.code}` : ''}`,
        ),
  );
};
