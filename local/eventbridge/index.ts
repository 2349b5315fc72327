import { text } from 'node:stream/consumers';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One event the local bus accepted, as an EventBridge rule target would see its envelope. */
export interface RecordedEvent {
  id: string;
  time: string;
  source: string;
  detailType: string;
  eventBusName: string;
  resources: string[];
  /** The parsed `Detail`. */
  detail: unknown;
}

/** AWS: at most 10 entries per PutEvents, and 256 KB for the entries of one request. */
export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

export interface LocalEventBridge {
  /** `http://127.0.0.1:<port>`: the functions' EventBridge endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE). */
  endpoint: string;
  /** Every event accepted, in order. */
  readonly events: readonly RecordedEvent[];
  /**
   * Fails the next `count` PutEvents calls: `http` answers 500 InternalException (the SDK retries
   * it), `entry` answers 200 with every entry failed (`InternalFailure`), as EventBridge does when
   * it cannot take an entry.
   */
  failNext(count: number, mode?: 'http' | 'entry'): void;
  /** Drops the faults `failNext` queued that no call used up. */
  clearFaults(): void;
  /** How many PutEvents calls arrived (accepted or not). */
  readonly calls: number;
  /** Creates a bus (CreateEventBus, as the deployment would have): entries naming it are accepted. */
  addBus(name: string): void;
  close(): Promise<void>;
}

/**
 * An entry's size as EventBridge counts it: the UTF-8 bytes of Source, DetailType, Detail and each
 * Resource, plus 14 for a Time (PutEvents "Calculating PutEvents event entry size").
 */
export const entrySize = (entry: Entry): number =>
  (entry.Time !== undefined ? 14 : 0) +
  [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].reduce(
    (sum, text) => sum + (text ? Buffer.byteLength(text, 'utf8') : 0),
    0,
  );

const entryError = (entry: Entry, buses: ReadonlySet<string>) => {
  const missing = (['Source', 'DetailType', 'Detail'] as const).find((key) => !entry[key]);
  if (missing) {
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
    };
  }
  try {
    const detail: unknown = JSON.parse(entry.Detail!);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      throw new Error('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  const bus = busName(entry.EventBusName);
  if (!buses.has(bus)) {
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  }
  return undefined;
};

/** A bus name or ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`) → its name. */
const busName = (value: string | undefined): string => {
  if (!value) return 'default';
  const arn = /:event-bus\/(.+)$/.exec(value);
  return arn ? arn[1]! : value;
};

const send = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
};

/**
 * EventBridge's PutEvents on 127.0.0.1 (AWS JSON 1.1), enough for the migration's events: it
 * validates like AWS (at most 10 entries and 256 KB per request: ValidationException; per entry a
 * missing Source/DetailType/Detail, a Detail that is not a JSON object, an unknown bus: a failed
 * entry and FailedEntryCount), records what it accepts with an EventId, and lists it at
 * `GET /local/events` (what `cognito-migrate local events` prints). No rules or targets.
 */
export const startLocalEventBridge = async (
  options: { buses?: readonly string[]; clock?: { now(): number } } = {},
): Promise<LocalEventBridge> => {
  const buses = new Set(['default', ...(options.buses ?? [])]);
  const now = () => options.clock?.now() ?? Date.now();
  const events: RecordedEvent[] = [];
  const faults: ('http' | 'entry')[] = [];
  let calls = 0;

  const putEvents = (body: { Entries?: Entry[] }, res: ServerResponse) => {
    calls += 1;
    const entries = body.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      return send(
        res,
        400,
        {
          __type: 'ValidationException',
          message: `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`}`,
        },
        'ValidationException',
      );
    }
    if (entries.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
      return send(
        res,
        400,
        {
          __type: 'ValidationException',
          message: 'Total size of the entries in the request is over the limit.',
        },
        'ValidationException',
      );
    }
    const fault = faults.shift();
    if (fault === 'http') {
      return send(res, 500, { __type: 'InternalException', message: 'Injected fault' }, 'InternalException');
    }
    const results = entries.map((entry) => {
      if (fault === 'entry') return { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected fault' };
      const error = entryError(entry, buses);
      if (error) return error;
      const id = randomUUID();
      events.push({
        id,
        time: new Date(entry.Time !== undefined ? Number(entry.Time) * 1000 : now()).toISOString(),
        source: entry.Source!,
        detailType: entry.DetailType!,
        eventBusName: busName(entry.EventBusName),
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail!) as unknown,
      });
      return { EventId: id };
    });
    return send(res, 200, {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/local/events') {
      return send(res, 200, { events });
    }
    const body = await text(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method === 'POST' && target === 'AWSEvents.PutEvents') {
      return putEvents(JSON.parse(body || '{}') as { Entries?: Entry[] }, res);
    }
    return send(
      res,
      400,
      { __type: 'UnknownOperationException', message: `Not served locally: ${target || req.url}` },
      'UnknownOperationException',
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) send(res, 400, { __type: 'SerializationException', message: error.message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    get calls() {
      return calls;
    },
    addBus: (name) => {
      buses.add(busName(name));
    },
    clearFaults: () => {
      faults.length = 0;
    },
    failNext: (count, mode = 'http') => {
      for (let i = 0; i < count; i += 1) faults.push(mode);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
