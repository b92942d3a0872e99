/**
 * assessment-kit in JupyterLab: an Assessment section in the launcher (New mission,
 * Interview, Consolidate, Scores) and a mission panel for mission files.
 *
 * A file whose name ends in .db, .sqlite or .sqlite3 opens in the panel, which asks the
 * server whether the file is a mission by its content; when it is not, the panel hands it
 * back to the editor JupyterLab used before. The panel's model never loads or saves the
 * file's content (the server also refuses to save over a mission), so the mission in use is
 * never written by the front-end.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget,
  TextModelFactory
} from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { Contents } from '@jupyterlab/services';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { ApiError, postAPI, requestAPI } from './api';
import { NewMissionBody } from './dialog';
import { checkNewMission, chooseMission, NOTEBOOK_LABELS } from './logic';
import { IPanelActions, MissionPanel } from './panel';
import type {
  IInstrumentChoice,
  INewMission,
  LanguageChoice,
  NotebookKind
} from './types';

const FACTORY = 'Assessment mission';
const MODEL = 'assessment-kit-mission';
const FILE_TYPE = 'assessment-mission';

function icon(name: string, paths: string): LabIcon {
  return new LabIcon({
    name: `assessment-kit:${name}`,
    svgstr:
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' +
      `<g class="jp-icon3" fill="#616161">${paths}</g></svg>`
  });
}

/** A document with bars: a mission file. */
const missionIcon = icon(
  'mission',
  '<path d="M5 3h10l4 4v14H5zm2 2v14h10V8h-3V5z"/><path d="M8.5 11h2v6h-2zm3-2h2v8h-2zm3 4h2v4h-2z"/>'
);
/** The same document with a plus: a new mission. */
const newMissionIcon = icon(
  'new-mission',
  '<path d="M5 3h10l4 4v6h-2V8h-3V5H7v14h6v2H5z"/><path d="M17 14h2v3h3v2h-3v3h-2v-3h-3v-2h3z"/>'
);
/** Two speech bubbles: an interview. */
const interviewIcon = icon(
  'interview',
  '<path d="M3 4h12v9H8l-3 3v-3H3zm2 2v5h8V6z"/><path d="M17 8h4v9h-2v3l-3-3h-6v-2h7z"/>'
);
/** Arrows meeting: answers consolidated. */
const consolidateIcon = icon(
  'consolidate',
  '<path d="M4 4h5v2H6.4l4.6 4.6V20H9v-8.6L5 7.4V9H3V4z"/><path d="M20 4v5h-2V7.4l-4 4V16h-2v-5.4L16.6 6H15V4z"/><circle cx="12" cy="19" r="2"/>'
);
/** A radar-like chart: the scores. */
const scoresIcon = icon(
  'scores',
  '<path d="M12 2l9 6.5-3.4 10.5H6.4L3 8.5zm0 2.5L5.3 9.3 7.9 17h8.2l2.6-7.7z"/><path d="M12 8l3.5 2.6-1.3 4.4H9.8l-1.3-4.4z"/>'
);
const KIND_ICONS: Record<string, LabIcon> = {
  interview: interviewIcon,
  consolidate: consolidateIcon,
  scores: scoresIcon
};

/** A text model that never reads nor writes the file: the server does all the reading. */
class MissionModelFactory extends TextModelFactory {
  get name(): string {
    return MODEL;
  }
  get fileFormat(): Contents.FileFormat {
    return null;
  }
}

class MissionWidgetFactory extends ABCWidgetFactory<
  IDocumentWidget<MissionPanel>,
  DocumentRegistry.ICodeModel
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<IDocumentWidget<MissionPanel>>,
    private readonly actions: (
      widget: () => IDocumentWidget<MissionPanel> | null
    ) => IPanelActions
  ) {
    super(options);
  }

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>
  ): IDocumentWidget<MissionPanel> {
    // Saving would write the (empty) model over the mission: make it impossible here too.
    context.model.readOnly = true;
    let widget: IDocumentWidget<MissionPanel> | null = null;
    const content = new MissionPanel(
      () => context.localPath,
      this.actions(() => widget)
    );
    widget = new DocumentWidget({ content, context });
    widget.title.icon = missionIcon;
    widget.addClass('jp-AssessmentKit-document');
    return widget;
  }
}

const KINDS: NotebookKind[] = ['interview', 'consolidate', 'scores'];

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'assessment-kit:plugin',
  description: 'The Assessment launcher and the mission panel of assessment-kit.',
  autoStart: true,
  optional: [ILauncher, IDefaultFileBrowser, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const { commands, docRegistry } = app;
    let lastMission: string | null = null;

    const open = async (path: string, factory?: string): Promise<void> => {
      await commands.execute('docmanager:open', factory ? { path, factory } : { path });
    };
    const error = (title: string, reason: unknown): void => {
      const message =
        reason instanceof ApiError || reason instanceof Error
          ? reason.message
          : String(reason);
      void showErrorMessage(title, message);
    };
    const actions =
      (widget: () => IDocumentWidget<MissionPanel> | null) => ({
        open: (path: string) => open(path),
        openAsBefore: async (path: string) => {
          widget()?.dispose();
          await open(path, 'Editor');
        },
        error,
        remember: (path: string) => {
          lastMission = path;
        }
      });

    docRegistry.addModelFactory(new MissionModelFactory());
    docRegistry.addFileType({
      name: FILE_TYPE,
      displayName: 'Mission file',
      extensions: ['.db', '.sqlite', '.sqlite3'],
      mimeTypes: ['application/vnd.sqlite3'],
      contentType: 'file',
      fileFormat: null,
      icon: missionIcon
    });
    const factory = new MissionWidgetFactory(
      {
        name: FACTORY,
        label: 'Mission',
        modelName: MODEL,
        fileTypes: [FILE_TYPE],
        defaultFor: [FILE_TYPE],
        readOnly: true
      },
      actions
    );
    docRegistry.addWidgetFactory(factory);
    const tracker = new WidgetTracker<IDocumentWidget<MissionPanel>>({
      namespace: 'assessment-kit-mission'
    });
    factory.widgetCreated.connect((_, widget) => {
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: 'docmanager:open',
        args: widget => ({ path: widget.context.path, factory: FACTORY }),
        name: widget => widget.context.path
      });
    }

    const folder = (): string => browser?.model.path ?? '';

    commands.addCommand('assessment-kit:new-mission', {
      label: 'New mission',
      caption: 'Create a mission file and its four notebooks in the current folder',
      icon: newMissionIcon,
      execute: async () => {
        let instruments: IInstrumentChoice[];
        let languages: LanguageChoice[];
        try {
          ({ instruments, languages } = await requestAPI<{
            instruments: IInstrumentChoice[];
            languages: LanguageChoice[];
          }>('instruments'));
        } catch (reason) {
          error('Cannot list the instruments', reason);
          return;
        }
        let previous: INewMission | null = null;
        const where = folder();
        // Ask again, keeping what was typed, until the form is right or cancelled.
        for (;;) {
          const result: Dialog.IResult<INewMission> = await showDialog({
            title: 'New mission',
            body: new NewMissionBody(where, instruments, languages, previous),
            buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create' })],
            focusNodeSelector: 'input[name="country"]'
          });
          if (!result.button.accept || result.value === null) {
            return;
          }
          const form: INewMission = result.value;
          previous = form;
          const problems = checkNewMission(form);
          if (problems.length) {
            await showErrorMessage('The mission is not complete', problems.join(' '));
            continue;
          }
          try {
            const made = await postAPI<{ path: string }>('missions', form);
            lastMission = made.path;
            await open(made.path, FACTORY);
            return;
          } catch (reason) {
            error('Cannot create the mission', reason);
          }
        }
      }
    });

    const chooseAndOpen = async (kind: NotebookKind): Promise<void> => {
      const here = folder();
      let missions: string[];
      try {
        missions = (
          await requestAPI<{ missions: string[] }>('missions', {}, { folder: here })
        ).missions;
      } catch (reason) {
        error('Cannot list the missions', reason);
        return;
      }
      const choice = chooseMission(missions, lastMission);
      let mission: string;
      if (choice.kind === 'none') {
        const result = await showDialog({
          title: NOTEBOOK_LABELS[kind],
          body: `There is no mission in ${here || 'the root folder'}. Create one with New mission, or open the folder that holds yours.`,
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'New mission' })]
        });
        if (result.button.accept) {
          await commands.execute('assessment-kit:new-mission');
        }
        return;
      } else if (choice.kind === 'one') {
        mission = choice.path;
      } else {
        const select = document.createElement('select');
        select.className = 'jp-mod-styled';
        for (const path of choice.paths) {
          const option = document.createElement('option');
          option.value = path;
          option.textContent = path.split('/').pop() ?? path;
          select.appendChild(option);
        }
        const body = new Widget({ node: select });
        const result = await showDialog({
          title: `${NOTEBOOK_LABELS[kind]}: which mission?`,
          body,
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Open' })]
        });
        if (!result.button.accept) {
          return;
        }
        mission = select.value;
      }
      try {
        const made = await postAPI<{ path: string }>('notebooks', { mission, kind });
        lastMission = mission;
        await open(made.path);
      } catch (reason) {
        error(`Cannot open ${NOTEBOOK_LABELS[kind]}`, reason);
      }
    };

    for (const kind of KINDS) {
      commands.addCommand(`assessment-kit:open-${kind}`, {
        label: NOTEBOOK_LABELS[kind],
        caption: `Open the ${kind} notebook of the mission in the current folder`,
        icon: KIND_ICONS[kind],
        execute: () => chooseAndOpen(kind)
      });
    }

    const ids = [
      'assessment-kit:new-mission',
      ...KINDS.map(kind => `assessment-kit:open-${kind}`)
    ];
    ids.forEach((command, rank) => {
      launcher?.add({ command, category: 'Assessment', rank });
      palette?.addItem({ command, category: 'Assessment' });
    });
  }
};

export default plugin;
