/**
 * Cognito emulator throughput: AdminCreateUser users/s in-process, and the cost of one ListUsers
 * page at 10,000 vs 1,000,000 users (unfiltered, `=` and `^=` filters).
 * Run: npx tsx bench/cognito-emulator.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';

const CREATE_COUNT = 20_000;
const PAGE_SAMPLES = 300;

async function newPool(emulator: CognitoEmulator): Promise<string> {
  const out = (await emulator.call('CreateUserPool', { PoolName: 'bench' })) as { UserPool: { Id: string } };
  return out.UserPool.Id;
}

async function createUsersPerSecond(emulator: CognitoEmulator): Promise<number> {
  const poolId = await newPool(emulator);
  const start = performance.now();
  for (let i = 0; i < CREATE_COUNT; i++) {
    await emulator.call('AdminCreateUser', {
      UserPoolId: poolId,
      Username: `user${i}`,
      TemporaryPassword: 'Temp-pass1',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `user${i}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
  }
  return CREATE_COUNT / ((performance.now() - start) / 1000);
}

function seed(emulator: CognitoEmulator, poolId: string, from: number, to: number): void {
  for (let i = from; i < to; i++)
    emulator.store.createUserDirect(poolId, {
      username: `u${String(i).padStart(7, '0')}`,
      attributes: { email: `u${i}@example.com`, given_name: `Name${i % 1000}` },
    });
}

interface PageCosts {
  unfiltered: number;
  exact: number;
  prefix: number;
}

/** Mean microseconds per page read of 60 users, sampled at scattered positions. */
async function pageCosts(emulator: CognitoEmulator, poolId: string, size: number): Promise<PageCosts> {
  const time = async (make: (i: number) => object) => {
    const start = performance.now();
    for (let i = 0; i < PAGE_SAMPLES; i++) await emulator.call('ListUsers', make(i));
    return ((performance.now() - start) * 1000) / PAGE_SAMPLES;
  };
  const firstPage = (await emulator.call('ListUsers', { UserPoolId: poolId, Limit: 60 })) as {
    PaginationToken?: string;
  };
  return {
    unfiltered: await time(() => ({
      UserPoolId: poolId,
      Limit: 60,
      PaginationToken: firstPage.PaginationToken,
    })),
    exact: await time((i) => ({ UserPoolId: poolId, Filter: `email = "u${(i * 7919) % size}@example.com"` })),
    prefix: await time((i) => ({
      UserPoolId: poolId,
      Limit: 60,
      Filter: `sub ^= "${'0123456789abcdef'[i % 16]}"`,
    })),
  };
}

async function main(): Promise<void> {
  const emulator = await startCognitoEmulator();
  try {
    const perSecond = await createUsersPerSecond(emulator);
    console.log(
      `AdminCreateUser in-process: ${Math.round(perSecond).toLocaleString('en')} users/s (${CREATE_COUNT.toLocaleString('en')} users, target >= 5,000)\n`,
    );

    const small = await newPool(emulator);
    seed(emulator, small, 0, 10_000);
    const smallCosts = await pageCosts(emulator, small, 10_000);

    const large = await newPool(emulator);
    const seedStart = performance.now();
    seed(emulator, large, 0, 1_000_000);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const largeCosts = await pageCosts(emulator, large, 1_000_000);

    console.log(
      `ListUsers page cost (mean µs per call, ${PAGE_SAMPLES} samples; 1M users seeded directly in ${seedSeconds.toFixed(1)} s)`,
    );
    const rows: [string, keyof PageCosts][] = [
      ['unfiltered page (Limit 60, token)', 'unfiltered'],
      ['email = "..."', 'exact'],
      ['sub ^= "<hex digit>" (Limit 60)', 'prefix'],
    ];
    console.log(
      `${'query'.padEnd(36)}${'10k users'.padStart(12)}${'1M users'.padStart(12)}${'ratio'.padStart(9)}`,
    );
    for (const [label, key] of rows) {
      const a = smallCosts[key];
      const b = largeCosts[key];
      console.log(
        `${label.padEnd(36)}${a.toFixed(1).padStart(12)}${b.toFixed(1).padStart(12)}${(b / a).toFixed(2).padStart(9)}`,
      );
    }
  } finally {
    await emulator.close();
  }
}

void main();
