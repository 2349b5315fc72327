import { readFileSync } from 'node:fs';

/** A state of an ASL definition, as far as the runner needs to look into it. */
interface AslState {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
  Branches?: AslMachine[];
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * Reads an ASL file and replaces every `${Name}` with its substitution, as CDK's
 * `definitionSubstitutions` does. A placeholder without a substitution is an error: in AWS it
 * would reach the service verbatim and fail at deployment.
 */
export const loadDefinition = (file: string, substitutions: Record<string, string>): AslMachine =>
  substituteDefinition(readFileSync(file, 'utf8'), substitutions, file);

/** The same for a definition's text (e.g. a synthesized template's), `origin` naming it in errors. */
export const substituteDefinition = (
  text: string,
  substitutions: Record<string, string>,
  origin: string,
): AslMachine => {
  const file = origin;
  const missing = new Set<string>();
  const replaced = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  if (missing.size > 0) {
    throw new Error(`${file} needs substitutions for: ${[...missing].join(', ')}`);
  }
  return JSON.parse(replaced) as AslMachine;
};

/** Every state of a machine, nested Map and Parallel states included, with its name. */
export const allStates = (machine: AslMachine): [string, AslState][] =>
  Object.entries(machine.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]
      .filter((m): m is AslMachine => m !== undefined)
      .flatMap(allStates),
  ]);
