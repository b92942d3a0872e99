/**
 * What the server extension answers (assessment_kit/server/missions.py), as the panel reads it.
 */

export interface ISectionProgress {
  id: string;
  title: string;
  answered: number;
  total: number;
}

export interface IInstrumentProgress {
  id: string;
  version: string;
  title: string;
  answered: number;
  total: number;
  sections: ISectionProgress[];
}

export interface IRespondentRow {
  code: string;
  institution_type: string;
  institution: string;
}

export interface IChange {
  at: string;
  kind: string;
  respondent: string | null;
  questionnaire: string | null;
  question: string | null;
}

/** The four notebooks of a mission, by kind. */
export type NotebookKind = 'mission' | 'interview' | 'consolidate' | 'scores';

export interface IMissionSummary {
  path: string;
  title: string;
  country: string;
  start_date: string | null;
  end_date: string | null;
  created_at: string;
  answered: number;
  total: number;
  instruments: IInstrumentProgress[];
  respondents: IRespondentRow[];
  changes: IChange[];
  notebooks: Record<NotebookKind, string | null>;
}

export interface IInstrumentChoice {
  id: string;
  title: string;
  version: string;
  /** [section id, section title] pairs. */
  sections: [string, string][];
}

export interface IExportState {
  job: string;
  stage: string;
  done: number;
  total: number;
  finished: boolean;
  output: string | null;
  error: string | null;
  code: string | null;
}

/** What the New mission dialog sends (POST missions). */
export interface INewMission {
  folder: string;
  file: string;
  country: string;
  title: string;
  instruments: string[];
  sections: string[];
  /** The mission's language: its briefing's and its forms' (a code such as 'fr'). */
  language: string;
}

/** A language a mission can be in: [code, name in its own words]. */
export type LanguageChoice = [string, string];
