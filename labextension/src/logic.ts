/**
 * The extension's logic that needs no JupyterLab: progress as text, the New mission form's
 * checks and file name, which mission a launcher card uses, the history as sentences and
 * an export's state as text. Unit-tested with jest (src/__tests__/logic.spec.ts).
 */
import type {
  IChange,
  IExportState,
  INewMission,
  NotebookKind
} from './types';

/** Share of questions answered, as a percentage a person reads ("0%", "0.4%", "100%"). */
export function percent(answered: number, total: number): string {
  if (total <= 0) {
    return '–';
  }
  const value = (100 * answered) / total;
  if (value === 0 || value === 100) {
    return `${value}%`;
  }
  // One decimal below 10%, so that a first answer among hundreds of questions shows.
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // Never show 0% or 100% for a mission that is neither empty nor complete.
  const bounded = Math.min(Math.max(rounded, 0.1), 99);
  return `${bounded}%`;
}

/** "12 of 227 questions answered (5.3%)". */
export function progressLabel(answered: number, total: number): string {
  const noun = total === 1 ? 'question' : 'questions';
  return `${answered} of ${total} ${noun} answered (${percent(answered, total)})`;
}

/** A file name from a country: "Côte d'Ivoire" and 2026 give "cote-d-ivoire-2026.db". */
export function suggestFileName(country: string, year: number): string {
  const slug = country
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'mission'}-${year}.db`;
}

/** The file name the server will use: ".db" added when the name has no suffix. */
export function missionFileName(name: string): string {
  const trimmed = name.trim();
  const base = trimmed.split('/').pop() ?? trimmed;
  return base.includes('.') && !base.endsWith('.') ? trimmed : `${trimmed}.db`;
}

/** Every problem with the New mission form, all at once (empty when it can be sent). */
export function checkNewMission(form: INewMission): string[] {
  const problems: string[] = [];
  if (!form.country.trim()) {
    problems.push('Give the country.');
  }
  if (!form.instruments.length) {
    problems.push('Choose at least one instrument.');
  }
  const file = form.file.trim();
  if (!file) {
    problems.push('Give a file name, such as freedonia-2026.db.');
  } else if (/[\\/]/.test(file) || file === '.' || file === '..') {
    problems.push('The file name must not contain / or \\.');
  } else if (file.startsWith('.')) {
    problems.push('The file name must not start with a dot.');
  }
  return problems;
}

/** What a launcher card does with the missions of the current folder. */
export type MissionChoice =
  | { kind: 'none' }
  | { kind: 'one'; path: string }
  | { kind: 'ask'; paths: string[] };

/**
 * The mission a card opens: the only one in the folder, the one open in the panel last
 * (when it is in the folder), or ask.
 */
export function chooseMission(
  missions: string[],
  lastOpened: string | null = null
): MissionChoice {
  if (!missions.length) {
    return { kind: 'none' };
  }
  if (missions.length === 1) {
    return { kind: 'one', path: missions[0] };
  }
  if (lastOpened && missions.includes(lastOpened)) {
    return { kind: 'one', path: lastOpened };
  }
  return { kind: 'ask', paths: [...missions] };
}

/** A notebook kind's name on buttons and cards. */
export const NOTEBOOK_LABELS: Record<NotebookKind, string> = {
  mission: 'Mission',
  interview: 'Interview',
  consolidate: 'Consolidate',
  scores: 'Scores'
};

/** One history entry as a sentence: "R01 answered lf_offence_exists (criminal_justice)". */
export function describeChange(change: IChange): string {
  const where = change.questionnaire ? ` (${change.questionnaire})` : '';
  switch (change.kind) {
    case 'answer':
      return `${change.respondent ?? 'A respondent'} answered ${change.question}${where}`;
    case 'consolidated':
      return `Team answer set for ${change.question}${where}`;
    case 'respondent':
      return `Respondent ${change.respondent} added or changed`;
    case 'sections':
      return `Sections to assess chosen${where}`;
    default:
      return `${change.kind} ${change.question ?? ''}`.trim();
  }
}

/** A stored time ("2026-12-01T10:02:03.123456+00:00") as "2026-12-01 10:02". */
export function shortTime(at: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(at);
  return match ? `${match[1]} ${match[2]}` : at;
}

/** The mission's dates as one line: "from 2026-11-02 to 2026-11-20", or its creation. */
export function datesLine(
  start: string | null,
  end: string | null,
  created: string
): string {
  if (start && end) {
    return `${start} to ${end}`;
  }
  if (start) {
    return `from ${start}`;
  }
  if (end) {
    return `until ${end}`;
  }
  return `created ${shortTime(created)}`;
}

/** An export's state as the line under the button. */
export function exportLine(state: IExportState): string {
  if (state.error) {
    return `Export failed: ${state.error}`;
  }
  if (state.finished) {
    return 'Briefing written: ';
  }
  return `${state.stage}… (${state.done} of ${state.total})`;
}
