// The exactly-once checker: pure functions over an EOS fault run's history
// (every transaction the workers began and how it ended as they saw it) and
// what a fresh read_committed consumer read of the output at the end. Its
// rules: every input id is in the committed output exactly once; no output
// of a transaction that was never committed is visible; a transaction is
// visible whole or not at all (an uncertain commit may go either way); a
// commit that was acknowledged is visible; the group's committed offsets
// cover the whole input and agree with the outputs committed beside them.
// No violation is a pass.
import type { EosFinalState, EosHistory, OutputRecord, TxnAttempt } from './eos-history.test-support.js';

export type EosRule =
  /** An input id with no output in the committed output. */
  | 'inputLost'
  /** An input id with more than one output in the committed output (two transactions, or one output stored twice). */
  | 'inputDuplicated'
  /** An output of a transaction that failed before its commit was sent is visible to read_committed. */
  | 'abortedVisible'
  /** Some outputs of a transaction are visible, others not. */
  | 'tornTransaction'
  /** A transaction whose commit() resolved has no visible output. */
  | 'committedInvisible'
  /** A visible output no transaction sent: an unknown tag, or an input id its transaction did not read. */
  | 'unknownOutput'
  /** The read_committed consumer saw a record the log's markers do not commit, or missed one they do: the brokers' Fetch (last stable offset, aborted transactions) disagrees with what they stored. */
  | 'readCommittedMismatch'
  /** The group's final committed offset of an input partition is not its end. */
  | 'offsetsShort'
  /** The group's final committed offset of an input partition is not the one the last visible transaction reading it committed. */
  | 'offsetsApartFromOutputs';

export interface EosViolation {
  readonly rule: EosRule;
  /** The input partition the rule is about, when one. */
  readonly partition: number | null;
  readonly inputId: number | null;
  /** The transactions involved (their tags), for the summary's history excerpt. */
  readonly tags: readonly string[];
  readonly message: string;
}

export interface EosCheckResult {
  readonly violations: readonly EosViolation[];
  readonly inputs: number;
  readonly visibleOutputs: number;
  /** Records the kafkajs read_committed consumer delivered that the checker's consumer did not, and the other way round. */
  readonly kafkajsDiffers: { readonly extra: number; readonly missing: number };
  readonly transactions: {
    readonly committed: number;
    readonly aborted: number;
    /** Uncertain commits found visible (they committed) and not (they did not). */
    readonly uncertainVisible: number;
    readonly uncertainInvisible: number;
    /** Never ended as the worker saw it when the run stopped: treated as uncertain. */
    readonly unfinished: number;
  };
}

function where(o: OutputRecord): string {
  return `output-${o.partition}@${o.offset}`;
}

function describeTxn(t: TxnAttempt | undefined, tag: string): string {
  if (t === undefined) return `${tag} (no such transaction)`;
  const outcome = t.outcome === null ? 'unfinished' : t.outcome.kind === 'committed' ? 'committed' : `${t.outcome.kind} (${t.outcome.error})`;
  return `${tag} ${outcome}`;
}

export function checkEos(history: EosHistory, final: EosFinalState): EosCheckResult {
  const violations: EosViolation[] = [];
  const txns = new Map(history.transactions.map((t) => [t.tag, t]));
  const byInput = new Map<number, OutputRecord[]>();
  const byTag = new Map<string, OutputRecord[]>();
  for (const o of final.committedOutput) {
    const t = txns.get(o.tag);
    if (t === undefined || !t.inputs.includes(o.inputId)) {
      violations.push({
        rule: 'unknownOutput',
        partition: t?.inputPartition ?? null,
        inputId: o.inputId,
        tags: [o.tag],
        message: `${where(o)} carries input ${o.inputId} and tag ${o.tag}, ${t === undefined ? 'a tag no worker used' : `but ${o.tag} read inputs ${t.inputs[0]}..${t.inputs.at(-1)} only`}`,
      });
      continue;
    }
    (byInput.get(o.inputId) ?? byInput.set(o.inputId, []).get(o.inputId)!).push(o);
    (byTag.get(o.tag) ?? byTag.set(o.tag, []).get(o.tag)!).push(o);
  }

  const readers = new Map<number, TxnAttempt[]>();
  for (const t of history.transactions) for (const id of t.inputs) (readers.get(id) ?? readers.set(id, []).get(id)!).push(t);
  for (const input of history.inputs) {
    const outputs = byInput.get(input.id) ?? [];
    const tried = readers.get(input.id) ?? [];
    if (outputs.length === 0) {
      violations.push({
        rule: 'inputLost',
        partition: input.partition,
        inputId: input.id,
        tags: tried.map((t) => t.tag),
        message: `input ${input.id} (input-${input.partition}@${input.offset}) has no committed output; ${tried.length === 0 ? 'no transaction read it' : `transactions that read it: ${tried.map((t) => describeTxn(t, t.tag)).join(', ')}`}`,
      });
    } else if (outputs.length > 1) {
      violations.push({
        rule: 'inputDuplicated',
        partition: input.partition,
        inputId: input.id,
        tags: [...new Set(outputs.map((o) => o.tag))],
        message: `input ${input.id} (input-${input.partition}@${input.offset}) is in the committed output ${outputs.length} times: ${outputs.map((o) => `${where(o)} by ${describeTxn(txns.get(o.tag), o.tag)}`).join(', ')}`,
      });
    }
  }

  const transactions = { committed: 0, aborted: 0, uncertainVisible: 0, uncertainInvisible: 0, unfinished: 0 };
  for (const t of history.transactions) {
    const visible = byTag.get(t.tag) ?? [];
    const kind = t.outcome?.kind ?? 'unfinished';
    if (kind === 'committed') transactions.committed++;
    else if (kind === 'aborted') transactions.aborted++;
    else if (kind === 'unfinished') transactions.unfinished++;
    else if (visible.length > 0) transactions.uncertainVisible++;
    else transactions.uncertainInvisible++;
    if (visible.length === 0) {
      if (kind === 'committed') {
        violations.push({
          rule: 'committedInvisible',
          partition: t.inputPartition,
          inputId: t.inputs[0] ?? null,
          tags: [t.tag],
          message: `${t.tag} (${t.transactionalId}, input-${t.inputPartition}@${t.firstOffset}..${t.lastOffset}) was committed, yet none of its ${t.inputs.length} outputs is visible`,
        });
      }
      continue;
    }
    if (kind === 'aborted') {
      violations.push({
        rule: 'abortedVisible',
        partition: t.inputPartition,
        inputId: visible[0]!.inputId,
        tags: [t.tag],
        message: `${visible.length} output(s) of ${describeTxn(t, t.tag)} (${t.transactionalId}, never committed) are visible: ${visible.slice(0, 5).map(where).join(', ')}${visible.length > 5 ? ', ...' : ''}`,
      });
    }
    const seen = new Set(visible.map((o) => o.inputId));
    const missing = t.inputs.filter((id) => !seen.has(id));
    if (missing.length > 0) {
      violations.push({
        rule: 'tornTransaction',
        partition: t.inputPartition,
        inputId: missing[0]!,
        tags: [t.tag],
        message: `${describeTxn(t, t.tag)} (${t.transactionalId}) is visible in part: ${seen.size} of its ${t.inputs.length} outputs, missing inputs ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
      });
    }
  }

  const key = (o: OutputRecord): string => `${o.partition}:${o.offset}`;
  const fromLog = new Map(final.logCommittedOutput.map((o) => [key(o), o]));
  const fromConsumer = new Map(final.committedOutput.map((o) => [key(o), o]));
  const mismatch = (o: OutputRecord, message: string): EosViolation => ({
    rule: 'readCommittedMismatch',
    partition: txns.get(o.tag)?.inputPartition ?? null,
    inputId: o.inputId,
    tags: [o.tag],
    message: `${where(o)} (input ${o.inputId}, ${o.tag}) ${message}`,
  });
  for (const [k, o] of fromConsumer) if (!fromLog.has(k)) violations.push(mismatch(o, 'was delivered by the read_committed consumer, but the log holds no commit marker for it'));
  for (const [k, o] of fromLog)
    if (!fromConsumer.has(k)) violations.push(mismatch(o, 'is committed by the markers in the log, but the read_committed consumer never delivered it'));

  for (const [partition, end] of [...final.inputEnds].sort(([a], [b]) => a - b)) {
    const committed = final.groupOffsets.get(partition) ?? -1n;
    if (committed !== end) {
      violations.push({
        rule: 'offsetsShort',
        partition,
        inputId: null,
        tags: [],
        message: `the group's committed offset of input-${partition} is ${committed}, its end ${end}`,
      });
    }
    const visible = history.transactions.filter((t) => t.inputPartition === partition && byTag.has(t.tag));
    const last = visible.reduce<TxnAttempt | undefined>((a, t) => (a === undefined || t.committedOffset > a.committedOffset ? t : a), undefined);
    if (last !== undefined && last.committedOffset !== committed) {
      violations.push({
        rule: 'offsetsApartFromOutputs',
        partition,
        inputId: null,
        tags: [last.tag],
        message: `the group's committed offset of input-${partition} is ${committed}, but the last visible transaction reading it, ${describeTxn(last, last.tag)}, committed ${last.committedOffset}`,
      });
    }
  }

  const fromKafkajs = new Set(final.kafkajsCommittedOutput.map(key));
  const kafkajsDiffers = { extra: [...fromKafkajs].filter((k) => !fromConsumer.has(k)).length, missing: [...fromConsumer.keys()].filter((k) => !fromKafkajs.has(k)).length };
  return { violations, inputs: history.inputs.length, visibleOutputs: final.committedOutput.length, kafkajsDiffers, transactions };
}
