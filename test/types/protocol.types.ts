// Type tests for the wire protocol (issue 10, item 1). Never run: `tsc --noEmit -p .` checks
// them (the root tsconfig includes `test/`). Each `@ts-expect-error` fails the check if the
// line stops being an error.
//
// 1. Every hand-written guard has exactly the type of the schema it stands in for.
// 2. Types that used to be written beside a schema are the schema's.
// 3. A change to a message's shape fails `tsc` on both sides: the sender's construction and
//    the receiver's reading, for the port protocol (both directions), the penpal method
//    tables and the comlink API.
import * as z from 'zod/mini';

import type { McEvent, StateVersion } from '../../sdk/client.ts';
import {
  AckOpSchema,
  AppContextSchema,
  ClientOpSchema,
  HostContextPatchSchema,
  LimitsSchema,
  ManifestSchema,
  PixelSizeSchema,
  PublishOpSchema,
  StateSnapshotSchema,
  TopicField,
  isPattern,
  isTopic,
  type AppContext,
  type AppLimits,
  type BrokerControl,
  type BrokerOp,
  type McError,
  type RefusedOperation,
  type ClientOp,
  type EventOp,
  type HostContext,
  type HostContextPatch,
  type PixelSize,
  type Receiver,
  type ResizeResult,
  type ServiceMethods,
  type StateSnapshot,
  type TopicPattern,
  type WidgetMethods,
} from '../../sdk/protocol/index.ts';
import { BrokerOpSchema, EventOpSchema } from '../../sdk/protocol/broker-ops.ts';
import { decodeBrokerBatch, isBrokerOp } from '../../sdk/protocol/decode-broker-batch.ts';
import { encodeBrokerOp } from '../../sdk/protocol/encode-broker-op.ts';
import { guardHotOp } from '../../sdk/protocol/guard-hot-op.ts';
import { checkManifest } from '../../shell/host/manifest-guard.ts';
import { checkContextPatch } from '../../shell/services/context-guard.ts';

/** Compiles only when `A` and `B` are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;
/** The type a guard narrows to. */
type Guarded<F> = F extends (value: unknown) => value is infer T ? T : never;

// 1. Guards = schemas.
assertType<Equal<Guarded<typeof isBrokerOp>, z.infer<typeof BrokerOpSchema>>>();
assertType<Equal<Parameters<Parameters<typeof decodeBrokerBatch>[1]>[0], BrokerOp>>();
assertType<
  Equal<
    ReturnType<typeof guardHotOp>,
    z.infer<typeof PublishOpSchema> | z.infer<typeof AckOpSchema> | null
  >
>();
assertType<
  Equal<Extract<ClientOp, { op: 'pub' | 'ack' }>, NonNullable<ReturnType<typeof guardHotOp>>>
>();
assertType<Equal<Guarded<typeof isTopic>, z.infer<typeof TopicField>>>();
// A refusal's operation on the wire is McError's.
assertType<Equal<NonNullable<Extract<BrokerOp, { op: 'err' }>['operation']>, RefusedOperation>>();
assertType<Equal<NonNullable<McError['operation']>, RefusedOperation>>();
assertType<Equal<Guarded<typeof isPattern>, TopicPattern>>();

// 2. Schemas are the types.
assertType<Equal<AppLimits, Required<z.output<typeof LimitsSchema>>>>();
assertType<Equal<StateVersion, StateSnapshot>>();
assertType<Equal<StateSnapshot, z.infer<typeof StateSnapshotSchema>>>();
assertType<Equal<Omit<McEvent, 'data'>, Omit<EventOp, 'op' | 'data'>>>();
assertType<Equal<EventOp, z.infer<typeof EventOpSchema>>>();
assertType<Equal<AppContext, z.infer<typeof AppContextSchema>>>();
assertType<Equal<HostContext, Omit<z.infer<typeof AppContextSchema>, 'appId' | 'slotId'>>>();
assertType<Equal<HostContextPatch, z.input<typeof HostContextPatchSchema>>>();
assertType<Equal<PixelSize, z.infer<typeof PixelSizeSchema>>>();
assertType<Equal<Omit<ResizeResult, 'frozen'>, PixelSize>>();
assertType<Equal<ClientOp, z.infer<typeof ClientOpSchema>>>();
// The shell's hand-written guards of the manifest and of a context patch (host start-up size).
type GuardValue<F extends (input: unknown) => unknown> = Extract<
  ReturnType<F>,
  { ok: true; value: unknown }
>['value'];
assertType<Equal<GuardValue<typeof checkManifest>, z.output<typeof ManifestSchema>>>();
assertType<Equal<GuardValue<typeof checkContextPatch>, z.output<typeof HostContextPatchSchema>>>();

// 3. Shapes: the real sender and receiver refuse a wrong one...
export function portProtocol(op: BrokerOp, fromWidget: ClientOp): void {
  encodeBrokerOp({ op: 'evt', topic: 'cal.date.selected', source: 'cal', data: 1 });
  encodeBrokerOp({ op: 'err', id: 1, code: 'NOT_PERMITTED', message: 'no' });
  // @ts-expect-error the broker cannot write a field the schema does not have
  encodeBrokerOp({ op: 'evt', topic: 'cal.date.selected', from: 'cal' });
  // @ts-expect-error nor leave out one it requires
  encodeBrokerOp({ op: 'ok' });
  // @ts-expect-error nor an error code outside ERROR_CODES
  encodeBrokerOp({ op: 'err', code: 'NOPE', message: 'no' });
  // @ts-expect-error nor a topic outside the grammar's type
  encodeBrokerOp({ op: 'evt', topic: 'calendar', source: 'cal' });
  if (op.op === 'evt') {
    assertType<Equal<typeof op.source, string>>();
    // @ts-expect-error the SDK cannot read a field the schema does not have
    void op.from;
  }
  if (op.op === 'gap') {
    // @ts-expect-error a gap says `dropped`
    void op.count;
  }
  // @ts-expect-error a widget's SDK cannot build a pub that claims its source
  const forged: ClientOp = { op: 'pub', topic: 'cal.date.selected', source: 'todo' };
  void forged;
  if (fromWidget.op === 'sub') {
    // @ts-expect-error the broker reads `pattern` from a sub, there is no `topic`
    void fromWidget.topic;
  }
}

// ...and a change to the schema reaches both. Here `source` becomes `from` in a copy of the
// event schema: the broker's construction and the SDK's read, as they are written today,
// stop compiling against the changed union.
const ChangedEventSchema = z.extend(z.omit(EventOpSchema, { source: true }), { from: z.string() });
type Changed = Exclude<BrokerOp, EventOp> | z.infer<typeof ChangedEventSchema>;
declare function encodeChanged(op: Changed): string;
export function changedShape(received: Changed): void {
  // @ts-expect-error the broker's event construction (broker.ts #publish) no longer fits
  encodeChanged({ op: 'evt', topic: 'cal.date.selected', source: 'cal', data: 1 });
  if (received.op === 'evt') {
    // @ts-expect-error the SDK's dispatch (client.ts #dispatch) reads `source`
    void received.source;
  }
}

// Penpal tables: the host implements them as Receivers (unchecked arguments, declared answers),
// the widget calls them through Client.call (sdk.types.ts) or penpal's RemoteProxy.
export function penpalTables(): void {
  const resize: Receiver<ServiceMethods>['resize'] = async (request) => {
    assertType<Equal<typeof request, unknown>>();
    return { width: 10, frozen: false };
  };
  void resize;
  // @ts-expect-error an answer without `frozen` is not a ResizeResult
  const broken: Receiver<ServiceMethods>['resize'] = async () => ({ width: 10 });
  void broken;
  // @ts-expect-error storageKeys answers a list of keys
  const keys: Receiver<ServiceMethods>['storageKeys'] = async () => 'a,b';
  void keys;
  // The host's identityToken answers {token, expiresAt}, whatever it gets from the server.
  const identity: Receiver<ServiceMethods>['identityToken'] = async () => ({
    token: 'a.b.c',
    expiresAt: 1,
  });
  void identity;
  // @ts-expect-error not the bare token
  const bareToken: Receiver<ServiceMethods>['identityToken'] = async () => 'a.b.c';
  void bareToken;
  // @ts-expect-error nor without its expiry
  const noExpiry: Receiver<ServiceMethods>['identityToken'] = async () => ({ token: 'a.b.c' });
  void noExpiry;
  const widget: WidgetMethods = {
    ping: () => 'pong',
    context: () => undefined,
    call: async () => undefined,
    teardown: async () => undefined,
    reattach: () => undefined,
  };
  // @ts-expect-error the heartbeat answers 'pong'
  widget.ping = () => 'ping';
  // The host tears down for one of two reasons, and says which.
  void widget.teardown('unmount');
  // @ts-expect-error not for any reason
  void widget.teardown('reload');
  // @ts-expect-error a host call names its method and passes its arguments as a list
  void widget.call('save', 1);
  // A broker's new port, nothing else.
  // @ts-expect-error not a port's name
  widget.reattach('port-2');
}

// Comlink: the Worker declares its surface as BrokerControl; the host calls it as one.
export function comlinkApi(control: BrokerControl): void {
  const adopted: boolean = control.adopt('cal', '{"open":1}');
  void adopted;
  // @ts-expect-error adopt takes the state as JSON text
  control.adopt('cal', { open: 1 });
  // @ts-expect-error the Worker's ping answers 'pong'
  const ping: BrokerControl['ping'] = () => 'ping';
  void ping;
}
