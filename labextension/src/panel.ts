/**
 * The mission panel: what a mission file shows when it is opened in JupyterLab.
 *
 * Every piece of user text goes in through textContent, never as HTML. The panel reads the
 * summary again whenever it is shown, so coming back from a notebook shows the new progress.
 */
import { Widget } from '@lumino/widgets';

import { ApiError, postAPI, requestAPI } from './api';
import {
  datesLine,
  describeChange,
  exportLine,
  NOTEBOOK_LABELS,
  percent,
  progressLabel,
  shortTime
} from './logic';
import type { IExportState, IMissionSummary, NotebookKind } from './types';

/** What the panel asks of JupyterLab. */
export interface IPanelActions {
  /** Open a file (a notebook, a briefing) in JupyterLab. */
  open(path: string): Promise<void>;
  /** The file is not a mission: open it as JupyterLab did before. */
  openAsBefore(path: string): Promise<void>;
  /** Show an error to the user. */
  error(title: string, error: unknown): void;
  /** The mission the panel shows, for the launcher cards. */
  remember(path: string): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function bar(answered: number, total: number): HTMLElement {
  const outer = element('div', 'jp-AssessmentKit-bar');
  const inner = element('div', 'jp-AssessmentKit-barFill');
  inner.style.width = total > 0 ? `${(100 * answered) / total}%` : '0';
  outer.appendChild(inner);
  return outer;
}

/** Time between two looks at an export's state. */
const EXPORT_POLL_MS = 500;

export class MissionPanel extends Widget {
  constructor(
    private readonly path: () => string,
    private readonly actions: IPanelActions
  ) {
    super();
    this.addClass('jp-AssessmentKit-panel');
    this.node.tabIndex = 0;
    this._status = element('div', 'jp-AssessmentKit-status', 'Loading the mission…');
    this.node.appendChild(this._status);
  }

  /** The summary last shown (null before the first load, or when not a mission). */
  get summary(): IMissionSummary | null {
    return this._summary;
  }

  /** Read the summary again and redraw. */
  async refresh(): Promise<void> {
    const path = this.path();
    let answer: { mission: IMissionSummary | null };
    try {
      answer = await requestAPI<{ mission: IMissionSummary | null }>(
        'mission',
        {},
        { path }
      );
    } catch (error) {
      this._status.textContent =
        error instanceof ApiError ? error.message : String(error);
      return;
    }
    if (answer.mission === null) {
      if (!this._handedOver) {
        this._handedOver = true;
        await this.actions.openAsBefore(path);
      }
      return;
    }
    this._summary = answer.mission;
    this.actions.remember(answer.mission.path);
    this.render(answer.mission);
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  protected onAfterAttach(): void {
    void this.refresh();
  }

  protected onActivateRequest(): void {
    this.node.focus();
  }

  private render(summary: IMissionSummary): void {
    const node = this.node;
    node.replaceChildren();
    const header = element('header', 'jp-AssessmentKit-header');
    header.appendChild(element('h1', '', summary.title || 'Mission'));
    header.appendChild(
      element(
        'div',
        'jp-AssessmentKit-meta',
        `${summary.country} · ${datesLine(
          summary.start_date,
          summary.end_date,
          summary.created_at
        )} · ${summary.path}`
      )
    );
    node.appendChild(header);

    const overall = element('section', 'jp-AssessmentKit-overall');
    const big = element(
      'div',
      'jp-AssessmentKit-percent',
      percent(summary.answered, summary.total)
    );
    big.dataset.answered = String(summary.answered);
    overall.appendChild(big);
    overall.appendChild(
      element('div', '', progressLabel(summary.answered, summary.total))
    );
    overall.appendChild(bar(summary.answered, summary.total));
    node.appendChild(overall);

    node.appendChild(this.renderButtons(summary));

    const progress = element('section', 'jp-AssessmentKit-progress');
    progress.appendChild(element('h2', '', 'Progress'));
    for (const instrument of summary.instruments) {
      const details = element('details');
      details.open = summary.instruments.length === 1;
      const head = element('summary');
      head.appendChild(
        element('strong', '', `${instrument.title} ${instrument.version}`)
      );
      head.appendChild(
        element(
          'span',
          'jp-AssessmentKit-count',
          ` ${progressLabel(instrument.answered, instrument.total)}`
        )
      );
      details.appendChild(head);
      const table = element('table', 'jp-AssessmentKit-table');
      for (const section of instrument.sections) {
        const row = element('tr');
        row.appendChild(element('td', '', section.title));
        row.appendChild(
          element('td', 'jp-AssessmentKit-num', `${section.answered}/${section.total}`)
        );
        const cell = element('td');
        cell.appendChild(bar(section.answered, section.total));
        row.appendChild(cell);
        table.appendChild(row);
      }
      details.appendChild(table);
      progress.appendChild(details);
    }
    node.appendChild(progress);

    const people = element('section', 'jp-AssessmentKit-respondents');
    people.appendChild(
      element('h2', '', `Respondents (${summary.respondents.length})`)
    );
    if (!summary.respondents.length) {
      people.appendChild(
        element('p', '', 'No one interviewed yet: open Interview to start.')
      );
    } else {
      const table = element('table', 'jp-AssessmentKit-table');
      for (const person of summary.respondents) {
        const row = element('tr');
        row.appendChild(element('td', '', person.code));
        row.appendChild(
          element('td', '', person.institution || person.institution_type)
        );
        table.appendChild(row);
      }
      people.appendChild(table);
    }
    node.appendChild(people);

    const changes = element('section', 'jp-AssessmentKit-changes');
    changes.appendChild(element('h2', '', 'Last changes'));
    if (!summary.changes.length) {
      changes.appendChild(element('p', '', 'Nothing recorded yet.'));
    } else {
      const list = element('ul');
      for (const change of summary.changes) {
        const item = element('li');
        item.appendChild(element('time', '', shortTime(change.at)));
        item.appendChild(document.createTextNode(` ${describeChange(change)}`));
        list.appendChild(item);
      }
      changes.appendChild(list);
    }
    node.appendChild(changes);
  }

  private renderButtons(summary: IMissionSummary): HTMLElement {
    const section = element('section', 'jp-AssessmentKit-actions');
    for (const kind of Object.keys(NOTEBOOK_LABELS) as NotebookKind[]) {
      const button = element('button', 'jp-Button jp-mod-styled jp-mod-accept', NOTEBOOK_LABELS[kind]);
      button.dataset.notebook = kind;
      button.onclick = () => void this.openNotebook(summary.path, kind);
      section.appendChild(button);
    }
    const exportBox = element('div', 'jp-AssessmentKit-export');
    const format = element('select', 'jp-mod-styled');
    for (const [value, label] of [
      ['pdf', 'PDF'],
      ['html', 'HTML']
    ]) {
      const option = element('option', '', label);
      option.value = value;
      format.appendChild(option);
    }
    const button = element('button', 'jp-Button jp-mod-styled jp-mod-warn', 'Export briefing');
    button.dataset.action = 'export';
    exportBox.appendChild(button);
    exportBox.appendChild(format);
    exportBox.appendChild(this._exportProgress);
    exportBox.appendChild(this._exportLine);
    button.onclick = () => void this.exportBriefing(summary.path, format.value, button);
    section.appendChild(exportBox);
    return section;
  }

  private async openNotebook(mission: string, kind: NotebookKind): Promise<void> {
    try {
      const made = await postAPI<{ path: string }>('notebooks', { mission, kind });
      await this.actions.open(made.path);
    } catch (error) {
      this.actions.error(`Cannot open ${NOTEBOOK_LABELS[kind]}`, error);
    }
  }

  private async exportBriefing(
    mission: string,
    format: string,
    button: HTMLButtonElement
  ): Promise<void> {
    button.disabled = true;
    this._exportProgress.style.visibility = 'visible';
    this._exportLine.replaceChildren();
    try {
      let state = await postAPI<IExportState>('exports', { mission, format });
      while (!state.finished) {
        this.showExport(state);
        await new Promise(resolve => setTimeout(resolve, EXPORT_POLL_MS));
        state = await requestAPI<IExportState>(`exports/${state.job}`);
      }
      this.showExport(state);
    } catch (error) {
      this.actions.error('Cannot export the briefing', error);
    } finally {
      button.disabled = false;
    }
  }

  private showExport(state: IExportState): void {
    this._exportProgress.max = Math.max(state.total, 1);
    this._exportProgress.value = state.done;
    this._exportLine.textContent = exportLine(state);
    if (state.finished && state.output) {
      const output = state.output;
      const link = element('a', 'jp-AssessmentKit-link', output);
      link.href = '#';
      link.onclick = event => {
        event.preventDefault();
        void this.actions.open(output);
      };
      this._exportLine.appendChild(link);
    }
  }

  private _summary: IMissionSummary | null = null;
  private _handedOver = false;
  private _status: HTMLElement;
  private _exportProgress = element('progress', 'jp-AssessmentKit-exportProgress');
  private _exportLine = element('span', 'jp-AssessmentKit-exportLine');
}
