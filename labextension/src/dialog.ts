/**
 * The New mission dialog's body: country, title, language, instruments, sections and file
 * name.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { suggestFileName } from './logic';
import type { IInstrumentChoice, INewMission, LanguageChoice } from './types';

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'jp-AssessmentKit-field';
  const span = document.createElement('span');
  span.textContent = text;
  label.appendChild(span);
  label.appendChild(control);
  return label;
}

function input(name: string, placeholder = ''): HTMLInputElement {
  const node = document.createElement('input');
  node.className = 'jp-mod-styled';
  node.name = name;
  node.placeholder = placeholder;
  return node;
}

function select(name: string): HTMLSelectElement {
  const node = document.createElement('select');
  node.className = 'jp-mod-styled';
  node.name = name;
  return node;
}

export class NewMissionBody
  extends Widget
  implements Dialog.IBodyWidget<INewMission>
{
  constructor(
    private readonly folder: string,
    instruments: IInstrumentChoice[],
    languages: LanguageChoice[],
    previous: INewMission | null = null
  ) {
    super();
    this.addClass('jp-AssessmentKit-dialog');
    const year = new Date().getFullYear();
    this._country.value = previous?.country ?? '';
    this._title.value = previous?.title ?? '';
    this._file.value = previous?.file ?? '';
    this._fileEdited = Boolean(previous?.file);
    // The file name follows the country until someone types one of their own.
    this._country.oninput = () => {
      if (!this._fileEdited) {
        this._file.value = this._country.value.trim()
          ? suggestFileName(this._country.value, year)
          : '';
      }
    };
    this._file.oninput = () => {
      this._fileEdited = true;
    };
    this.node.appendChild(labelled('Country', this._country));
    this.node.appendChild(labelled('Title (optional)', this._title));
    for (const [code, name] of languages) {
      const option = document.createElement('option');
      option.value = code;
      option.textContent = name;
      this._language.appendChild(option);
    }
    this._language.value = previous?.language ?? languages[0]?.[0] ?? 'en';
    this.node.appendChild(
      labelled('Language (of the briefing and the forms)', this._language)
    );

    const fieldset = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = 'Instruments';
    fieldset.appendChild(legend);
    for (const instrument of instruments) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'instrument';
      box.value = instrument.id;
      box.checked = previous
        ? previous.instruments.includes(instrument.id)
        : instrument === instruments[0];
      this._instruments.push(box);
      const row = document.createElement('label');
      row.className = 'jp-AssessmentKit-check';
      row.appendChild(box);
      row.appendChild(
        document.createTextNode(` ${instrument.title} (${instrument.version})`)
      );
      fieldset.appendChild(row);

      // Sections: all of them unless some are chosen (a partial assessment).
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'Assess only some sections';
      details.appendChild(summary);
      for (const [id, title] of instrument.sections) {
        const section = document.createElement('input');
        section.type = 'checkbox';
        section.name = 'section';
        section.value = `${instrument.id}.${id}`;
        section.checked = previous?.sections.includes(section.value) ?? false;
        details.open = details.open || section.checked;
        this._sections.push(section);
        const line = document.createElement('label');
        line.className = 'jp-AssessmentKit-check jp-AssessmentKit-section';
        line.appendChild(section);
        line.appendChild(document.createTextNode(` ${title}`));
        details.appendChild(line);
      }
      fieldset.appendChild(details);
    }
    this.node.appendChild(fieldset);
    this.node.appendChild(labelled('File name', this._file));
    const where = document.createElement('div');
    where.className = 'jp-AssessmentKit-hint';
    where.textContent = `In the folder: ${folder || '(the root folder)'}. The four mission notebooks are written beside it.`;
    this.node.appendChild(where);
  }

  getValue(): INewMission {
    const instruments = this._instruments
      .filter(box => box.checked)
      .map(box => box.value);
    return {
      folder: this.folder,
      file: this._file.value.trim(),
      country: this._country.value.trim(),
      title: this._title.value.trim(),
      language: this._language.value,
      instruments,
      // Sections only of the instruments chosen.
      sections: this._sections
        .filter(box => box.checked && instruments.includes(box.value.split('.')[0]))
        .map(box => box.value)
    };
  }

  private _country = input('country', 'Freedonia');
  private _title = input('title', 'Needs assessment: Freedonia');
  private _file = input('file', 'freedonia-2026.db');
  private _language = select('language');
  private _fileEdited = false;
  private _instruments: HTMLInputElement[] = [];
  private _sections: HTMLInputElement[] = [];
}
