import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

/** The Control Tower proactive-control rules that ship with @cdklabs/cdk-validator-cfnguard. */
export const CONTROL_TOWER_RULES_DIRECTORY = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard')), '..', 'rules', 'control-tower', 'cfn-guard');

/** One rule file and the resource types it names. */
export interface GuardRuleFile {
  readonly file: string;
  readonly resourceTypes: readonly string[];
}

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

let ruleFiles: GuardRuleFile[] | undefined;

/** Every Control Tower rule file, with the resource types it names (read once per process). */
export function controlTowerRuleFiles(directory = CONTROL_TOWER_RULES_DIRECTORY): GuardRuleFile[] {
  const read = (dir: string): GuardRuleFile[] =>
    fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return read(file);
      if (!entry.name.endsWith('.guard')) return [];
      return [{ file, resourceTypes: [...new Set(fs.readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? [])].sort() }];
    });
  if (directory !== CONTROL_TOWER_RULES_DIRECTORY) return read(directory);
  ruleFiles ??= read(directory);
  return ruleFiles;
}

/** The resource types the templates declare. */
export function resourceTypesOf(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    for (const resource of Object.values(template.Resources ?? {})) if (typeof resource.Type === 'string') types.add(resource.Type);
  }
  return types;
}

/**
 * The rule files that can find anything in templates declaring `present`: those naming at least
 * one of those types, and any that names no type at all (kept, as nothing shows what it checks).
 */
export function applicableRules(rules: readonly GuardRuleFile[], present: ReadonlySet<string>): GuardRuleFile[] {
  return rules.filter((rule) => rule.resourceTypes.length === 0 || rule.resourceTypes.some((type) => present.has(type)));
}

/**
 * The Control Tower guard gate, run on each template with only the rule files that concern the
 * resource types it declares. cfn-guard evaluates every rule file against every template, and most
 * of the 237 rules are about services a given stack does not use; a rule whose types are all absent
 * can find nothing, so leaving it out changes no finding and cuts the gate's time by about two
 * thirds. It reports as `cdk-validator-cfnguard`, so acknowledgements
 * (`cdk-validator-cfnguard::<rule>`) apply unchanged.
 */
export class ControlTowerGuardGate implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  readonly #maxBuffer: number;

  constructor(props: { maxBuffer: number }) {
    const full = new CfnGuardValidator({ maxBuffer: props.maxBuffer });
    this.name = full.name;
    this.version = full.version;
    this.ruleIds = full.ruleIds;
    this.#maxBuffer = props.maxBuffer;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    // Template by template, each with its own rules: a small stack is not checked against the rules
    // a large one needs.
    const reports = context.templatePaths.flatMap((templatePath) => {
      const rules = applicableRules(controlTowerRuleFiles(), resourceTypesOf([templatePath]));
      if (rules.length === 0) return [];
      const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: rules.map((rule) => rule.file), maxBuffer: this.#maxBuffer });
      return [guard.validate({ ...context, templatePaths: [templatePath] })];
    });
    return { success: reports.every((r) => r.success), violations: reports.flatMap((r) => r.violations) };
  }
}
