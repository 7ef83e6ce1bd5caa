import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';

/** The Control Tower proactive-control rules that ship with @cdklabs/cdk-validator-cfnguard. */
export const CONTROL_TOWER_RULES_DIRECTORY = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard')), '..', 'rules', 'control-tower', 'cfn-guard');

/** Where the guard gate keeps its judgements unless told otherwise: `.cache/cfn-guard` under the working directory. */
export const DEFAULT_GUARD_CACHE_DIRECTORY = path.join('.cache', 'cfn-guard');

/** One rule file, the resource types it names and a digest of its text. */
export interface GuardRuleFile {
  readonly file: string;
  readonly resourceTypes: readonly string[];
  /** SHA-256 of the file's text. @default - read when the gate needs it */
  readonly sha256?: string;
}

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

let ruleFiles: GuardRuleFile[] | undefined;

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** Every Control Tower rule file, with the resource types it names (read once per process). */
export function controlTowerRuleFiles(directory = CONTROL_TOWER_RULES_DIRECTORY): GuardRuleFile[] {
  const read = (dir: string): GuardRuleFile[] =>
    fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return read(file);
      if (!entry.name.endsWith('.guard')) return [];
      const text = fs.readFileSync(file, 'utf8');
      return [{ file, resourceTypes: [...new Set(text.match(RESOURCE_TYPE) ?? [])].sort(), sha256: sha256(text) }];
    });
  if (directory !== CONTROL_TOWER_RULES_DIRECTORY) return read(directory);
  ruleFiles ??= read(directory);
  return ruleFiles;
}

/** The resource types the templates declare. */
export function resourceTypesOf(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) addResourceTypes(JSON.parse(fs.readFileSync(templatePath, 'utf8')), types);
  return types;
}

function addResourceTypes(template: { Resources?: Record<string, { Type?: string }> }, into: Set<string>): Set<string> {
  for (const resource of Object.values(template.Resources ?? {})) if (typeof resource.Type === 'string') into.add(resource.Type);
  return into;
}

/**
 * The rule files that can find anything in templates declaring `present`: those naming at least
 * one of those types, and any that names no type at all (kept, as nothing shows what it checks).
 */
export function applicableRules(rules: readonly GuardRuleFile[], present: ReadonlySet<string>): GuardRuleFile[] {
  return rules.filter((rule) => rule.resourceTypes.length === 0 || rule.resourceTypes.some((type) => present.has(type)));
}

/** Props of a {@link ControlTowerGuardGate}. */
export interface ControlTowerGuardGateProps {
  /** The most output, in bytes, read from one cfn-guard run. */
  readonly maxBuffer: number;
  /**
   * Folder of earlier judgements, each filed under a digest of the template's text, the text of
   * every rule file applied and the validator's version; a template judged before with the same
   * rules is not run again. Relative paths are taken from the working directory.
   * @default DEFAULT_GUARD_CACHE_DIRECTORY (`.cache/cfn-guard`); `false` keeps no judgements
   */
  readonly cacheDirectory?: string | false;
  /**
   * The folder of rule files to apply (each to the templates declaring a type it names).
   * @default CONTROL_TOWER_RULES_DIRECTORY
   */
  readonly rulesDirectory?: string;
  /**
   * How many cfn-guard processes run at once (each in a worker thread; the synth waits for all).
   * @default - the cores Node reports (`os.availableParallelism()`)
   */
  readonly concurrency?: number;
}

/** One template and the rule files it is checked against. */
interface GuardJob {
  readonly templatePath: string;
  readonly rules: readonly string[];
  /** Where its judgement is filed, when the gate keeps judgements. */
  readonly cacheFile?: string;
  /** Rough cost, to spread the jobs over the workers: template size times rules. */
  readonly weight: number;
}

/** A judgement as filed: the report, with the template's path left out (it differs between outdirs). */
interface FiledJudgement {
  readonly success: boolean;
  readonly violations: PolicyViolationBeta1[];
}

/**
 * The Control Tower guard gate, run on each template with only the rule files that concern the
 * resource types it declares. cfn-guard evaluates every rule file against every template, and most
 * of the 237 rules are about services a given stack does not use; a rule whose types are all absent
 * can find nothing, so leaving it out changes no finding and cuts the gate's time by about two
 * thirds. The templates are checked in parallel (one cfn-guard process per worker thread, as many
 * as `concurrency`), and a template already judged with the same rules is answered from the cache
 * folder (see `cacheDirectory`). It reports as `cdk-validator-cfnguard`, so acknowledgements
 * (`cdk-validator-cfnguard::<rule>`) apply unchanged.
 */
export class ControlTowerGuardGate implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  readonly #maxBuffer: number;
  readonly #cacheDirectory?: string;
  readonly #concurrency: number;
  readonly #rulesDirectory: string;

  constructor(props: ControlTowerGuardGateProps) {
    const full = new CfnGuardValidator({ maxBuffer: props.maxBuffer });
    this.name = full.name;
    this.version = full.version;
    this.ruleIds = full.ruleIds;
    this.#maxBuffer = props.maxBuffer;
    const cacheDirectory = props.cacheDirectory ?? DEFAULT_GUARD_CACHE_DIRECTORY;
    this.#cacheDirectory = cacheDirectory === false ? undefined : path.resolve(cacheDirectory);
    this.#concurrency = Math.max(1, Math.floor(props.concurrency ?? os.availableParallelism()));
    this.#rulesDirectory = props.rulesDirectory ?? CONTROL_TOWER_RULES_DIRECTORY;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    // Template by template, each with its own rules: a small stack is not checked against the rules
    // a large one needs.
    const jobs = context.templatePaths.flatMap((templatePath) => this.#jobFor(templatePath));
    const reports = new Map<GuardJob, PolicyValidationPluginReportBeta1>();
    const toRun: GuardJob[] = [];
    for (const job of jobs) {
      const filed = job.cacheFile === undefined ? undefined : readJudgement(job.cacheFile, job.templatePath);
      if (filed) reports.set(job, filed);
      else toRun.push(job);
    }
    const results = runGuard(toRun, { maxBuffer: this.#maxBuffer, concurrency: this.#concurrency });
    toRun.forEach((job, i) => {
      reports.set(job, results[i]);
      if (job.cacheFile !== undefined) fileJudgement(job.cacheFile, results[i]);
    });
    const ordered = jobs.map((job) => reports.get(job)!);
    return { success: ordered.every((r) => r.success), violations: ordered.flatMap((r) => r.violations) };
  }

  #jobFor(templatePath: string): GuardJob[] {
    const text = fs.readFileSync(templatePath, 'utf8');
    const rules = applicableRules(controlTowerRuleFiles(this.#rulesDirectory), addResourceTypes(JSON.parse(text), new Set()));
    if (rules.length === 0) return [];
    let cacheFile: string | undefined;
    if (this.#cacheDirectory !== undefined) {
      const ruleDigests = rules.map((rule) => `${path.relative(this.#rulesDirectory, rule.file)} ${rule.sha256 ?? sha256(fs.readFileSync(rule.file))}`);
      const key = sha256(JSON.stringify({ validator: `${this.name}@${this.version}`, rules: ruleDigests, template: sha256(text) }));
      cacheFile = path.join(this.#cacheDirectory, `${key}.json`);
    }
    return [{ templatePath, rules: rules.map((rule) => rule.file), cacheFile, weight: text.length * rules.length }];
  }
}

/**
 * A filed judgement for the template at `templatePath`, or undefined when there is none (or it is
 * unreadable). Its findings name the template as cfn-guard does: by its canonical path.
 */
function readJudgement(file: string, templatePath: string): PolicyValidationPluginReportBeta1 | undefined {
  let filed: FiledJudgement;
  try {
    filed = JSON.parse(fs.readFileSync(file, 'utf8')) as FiledJudgement;
  } catch {
    return undefined;
  }
  if (typeof filed.success !== 'boolean' || !Array.isArray(filed.violations)) return undefined;
  const canonical = fs.realpathSync(templatePath);
  return {
    success: filed.success,
    violations: filed.violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: canonical })) })),
  };
}

/** Files a judgement (written aside, then renamed, so a reader never sees half of one). */
function fileJudgement(file: string, report: PolicyValidationPluginReportBeta1): void {
  const filed: FiledJudgement = {
    success: report.success,
    violations: report.violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: '' })) })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(aside, JSON.stringify(filed));
  fs.renameSync(aside, file);
}

/** What a worker thread runs: its share of the jobs through CfnGuardValidator, one after another. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const done = new Int32Array(workerData.done);
let results;
try {
  const { CfnGuardValidator } = require(workerData.validatorModule);
  results = workerData.jobs.map((job) => {
    try {
      const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: job.rules, maxBuffer: workerData.maxBuffer });
      return { report: guard.validate({ templatePaths: [job.templatePath] }) };
    } catch (error) {
      return { error: String((error && error.message) || error) };
    }
  });
} catch (error) {
  results = workerData.jobs.map(() => ({ error: String((error && error.message) || error) }));
} finally {
  workerData.port.postMessage(results);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}
`;

type WorkerResult = { report: PolicyValidationPluginReportBeta1 } | { error: string };

/**
 * Runs cfn-guard on each job, in up to `concurrency` worker threads, and returns the reports in the
 * jobs' order. A validation plugin must answer synchronously, so the synth thread sleeps on a shared
 * counter until every worker has posted its results.
 */
function runGuard(jobs: readonly GuardJob[], options: { maxBuffer: number; concurrency: number }): PolicyValidationPluginReportBeta1[] {
  const lanes = Math.min(options.concurrency, jobs.length);
  if (lanes <= 1) {
    return jobs.map((job) => new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [...job.rules], maxBuffer: options.maxBuffer }).validate({ templatePaths: [job.templatePath] } as IPolicyValidationContextBeta1));
  }
  // Heaviest first, each to the least loaded lane.
  const share: { load: number; indexes: number[] }[] = Array.from({ length: lanes }, () => ({ load: 0, indexes: [] }));
  for (const index of jobs.map((_, i) => i).sort((a, b) => jobs[b].weight - jobs[a].weight)) {
    const lane = share.reduce((a, b) => (b.load < a.load ? b : a));
    lane.load += jobs[index].weight;
    lane.indexes.push(index);
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  const validatorModule = require.resolve('@cdklabs/cdk-validator-cfnguard');
  const ports: MessagePort[] = share.map((lane) => {
    const { port1, port2 } = new MessageChannel();
    const laneJobs = lane.indexes.map((i) => ({ templatePath: jobs[i].templatePath, rules: jobs[i].rules }));
    new Worker(WORKER_SOURCE, { eval: true, workerData: { jobs: laneJobs, maxBuffer: options.maxBuffer, validatorModule, done: done.buffer, port: port2 }, transferList: [port2] });
    return port1;
  });
  for (let finished = Atomics.load(done, 0); finished < lanes; finished = Atomics.load(done, 0)) Atomics.wait(done, 0, finished);
  const reports: PolicyValidationPluginReportBeta1[] = new Array(jobs.length);
  share.forEach((lane, l) => {
    const results = receiveMessageOnPort(ports[l])?.message as WorkerResult[] | undefined;
    ports[l].close();
    lane.indexes.forEach((jobIndex, k) => {
      const result = results?.[k];
      if (result === undefined || 'error' in result) {
        throw new Error(`cfn-guard failed on ${jobs[jobIndex].templatePath}: ${result?.error ?? 'the worker thread returned no result'}`);
      }
      reports[jobIndex] = result.report;
    });
  });
  return reports;
}
