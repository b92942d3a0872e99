import {
  checkNewMission,
  chooseMission,
  datesLine,
  describeChange,
  exportLine,
  missionFileName,
  percent,
  progressLabel,
  shortTime,
  suggestFileName
} from '../logic';
import type { IExportState, INewMission } from '../types';

describe('percent', () => {
  it.each([
    [0, 227, '0%'],
    [1, 227, '0.4%'],
    [1, 2000, '0.1%'],
    [12, 227, '5.3%'],
    [50, 200, '25%'],
    [199, 200, '99%'],
    [227, 227, '100%'],
    [0, 0, '–']
  ])('%i of %i is %s', (answered, total, expected) => {
    expect(percent(answered, total)).toBe(expected);
  });

  it('never calls a started mission empty, nor an unfinished one complete', () => {
    for (let total = 1; total < 3000; total += 7) {
      expect(percent(1, total)).not.toBe('0%');
      if (total > 1) {
        expect(percent(total - 1, total)).not.toBe('100%');
      }
    }
  });
});

describe('progressLabel', () => {
  it('counts and gives the share', () => {
    expect(progressLabel(1, 227)).toBe('1 of 227 questions answered (0.4%)');
    expect(progressLabel(0, 1)).toBe('0 of 1 question answered (0%)');
  });
});

describe('file names', () => {
  it('suggests a plain name from the country', () => {
    expect(suggestFileName('Freedonia', 2026)).toBe('freedonia-2026.db');
    expect(suggestFileName("Côte d'Ivoire", 2027)).toBe('cote-d-ivoire-2027.db');
    expect(suggestFileName('  ', 2026)).toBe('mission-2026.db');
    expect(suggestFileName('../etc', 2026)).toBe('etc-2026.db');
  });

  it('adds .db as the server does when there is no suffix', () => {
    expect(missionFileName('freedonia')).toBe('freedonia.db');
    expect(missionFileName('freedonia.sqlite')).toBe('freedonia.sqlite');
    expect(missionFileName('freedonia.')).toBe('freedonia..db');
  });
});

describe('checkNewMission', () => {
  const good: INewMission = {
    folder: '',
    file: 'freedonia-2026.db',
    country: 'Freedonia',
    title: '',
    instruments: ['criminal_justice'],
    sections: [],
    language: 'fr'
  };

  it('accepts a complete form', () => {
    expect(checkNewMission(good)).toEqual([]);
  });

  it('lists every problem at once', () => {
    const problems = checkNewMission({
      ...good,
      country: ' ',
      instruments: [],
      file: ''
    });
    expect(problems).toHaveLength(3);
  });

  it.each(['a/b.db', '..', 'a\\b.db', '.hidden.db'])('refuses %s', file => {
    expect(checkNewMission({ ...good, file })).toHaveLength(1);
  });
});

describe('chooseMission', () => {
  it('opens the only mission, asks among several, says when there is none', () => {
    expect(chooseMission([])).toEqual({ kind: 'none' });
    expect(chooseMission(['a.db'])).toEqual({ kind: 'one', path: 'a.db' });
    expect(chooseMission(['a.db', 'b.db'])).toEqual({
      kind: 'ask',
      paths: ['a.db', 'b.db']
    });
  });

  it('prefers the mission last opened when it is in the folder', () => {
    expect(chooseMission(['a.db', 'b.db'], 'b.db')).toEqual({
      kind: 'one',
      path: 'b.db'
    });
    expect(chooseMission(['a.db', 'b.db'], 'elsewhere/c.db').kind).toBe('ask');
  });
});

describe('the history and dates as text', () => {
  it('says which question changed, never a value', () => {
    const change = {
      at: '2026-12-01T10:02:03.5+00:00',
      kind: 'answer',
      respondent: 'R01',
      questionnaire: 'criminal_justice',
      question: 'lf_offence_exists'
    };
    expect(describeChange(change)).toBe(
      'R01 answered lf_offence_exists (criminal_justice)'
    );
    expect(
      describeChange({ ...change, kind: 'consolidated', respondent: null })
    ).toBe('Team answer set for lf_offence_exists (criminal_justice)');
    expect(
      describeChange({
        ...change,
        kind: 'respondent',
        question: null,
        questionnaire: null
      })
    ).toBe('Respondent R01 added or changed');
    expect(
      describeChange({
        ...change,
        kind: 'sections',
        respondent: null,
        question: null
      })
    ).toBe('Sections to assess chosen (criminal_justice)');
    expect(shortTime(change.at)).toBe('2026-12-01 10:02');
    expect(shortTime('yesterday')).toBe('yesterday');
  });

  it('gives the dates the mission has', () => {
    expect(datesLine('2026-11-02', '2026-11-20', 'x')).toBe(
      '2026-11-02 to 2026-11-20'
    );
    expect(datesLine('2026-11-02', null, 'x')).toBe('from 2026-11-02');
    expect(datesLine(null, null, '2026-12-01T10:02:03+00:00')).toBe(
      'created 2026-12-01 10:02'
    );
  });
});

describe('exportLine', () => {
  const state: IExportState = {
    job: 'abc',
    stage: 'Scoring',
    done: 1,
    total: 4,
    finished: false,
    output: null,
    error: null,
    code: null
  };
  it('follows the stages, then the result', () => {
    expect(exportLine(state)).toBe('Scoring… (1 of 4)');
    expect(exportLine({ ...state, finished: true, output: 'b.pdf' })).toBe(
      'Briefing written: '
    );
    expect(
      exportLine({ ...state, finished: true, error: 'no browser' })
    ).toBe('Export failed: no browser');
  });
});
