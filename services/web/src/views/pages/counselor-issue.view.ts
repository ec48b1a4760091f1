import { AGE_BANDS, DIAGNOSTIC_LEVELS, SITUATIONS } from '@app/contracts';
import type { FieldErrors } from '../forms';
import { alert, form, radios, select } from '../forms';
import type { Html } from '../html';
import { euros, html, integer } from '../html';
import { AGE_BAND_LABELS, DIAGNOSTIC_LABELS, SITUATION_LABELS } from '../labels';
import type { PageView } from '../layout';
import type { Allocation } from './counselor-booklets.view';

/** The issue form's fields, as posted. */
export interface IssueFormValues {
  programId?: string;
  ageBand?: string;
  situation?: string;
  diagnosticLevel?: string;
}

export interface CounselorIssueModel {
  csrf: string;
  /** The agency's envelopes in open programs. */
  allocations: Allocation[];
  values: IssueFormValues;
  /** By field name; `form` for a refusal that is no field's. */
  errors: FieldErrors;
}

/** Issuing a booklet: a program with money left, and the anonymous profile of the person. */
export function counselorIssueView({ csrf, allocations, values, errors }: CounselorIssueModel): PageView {
  const title = 'Délivrer un carnet';
  const fields = html`
        ${
          allocations.length === 0
            ? alert(
                'warning',
                'Aucune enveloppe disponible',
                "Votre structure n'a pas d'enveloppe ouverte : contactez le financeur.",
              )
            : radios({
                name: 'programId',
                legend: 'Programme',
                label: '',
                value: values.programId,
                errors,
                required: true,
                options: allocations.map((a) => [a.programId, programOption(a)]),
              })
        }
        ${select({
          name: 'ageBand',
          label: "Tranche d'âge (facultatif)",
          value: values.ageBand,
          errors,
          placeholder: 'Non renseignée',
          options: AGE_BANDS.map((a) => [a, AGE_BAND_LABELS[a]]),
        })}
        ${select({
          name: 'situation',
          label: 'Situation',
          value: values.situation,
          errors,
          required: true,
          placeholder: 'Choisir une situation',
          options: SITUATIONS.map((s) => [s, SITUATION_LABELS[s]]),
        })}
        ${select({
          name: 'diagnosticLevel',
          label: 'Niveau du diagnostic',
          hint: "L'autonomie numérique constatée lors du diagnostic",
          value: values.diagnosticLevel,
          errors,
          required: true,
          placeholder: 'Choisir un niveau',
          options: DIAGNOSTIC_LEVELS.map((d) => [d, DIAGNOSTIC_LABELS[d]]),
        })}
        <button class="fr-btn" type="submit"
          ${allocations.length === 0 ? html`disabled` : ''}>Délivrer le carnet</button>`;
  return {
    title,
    body: html`<h1>${title}</h1>
      ${
        Object.keys(errors).length
          ? alert(
              'error',
              'Le carnet n’a pas été délivré',
              errors.form ?? 'Corrigez les champs signalés ci-dessous.',
              'form-errors',
            )
          : ''
      }
      <p>Aucune information nominative n'est demandée : le carnet porte une référence anonyme.</p>
      ${form('/conseiller/carnets', csrf, fields, html`novalidate`)}`,
  };
}

function programOption(a: Allocation): Html {
  const booklet = `${a.bookletSize} pass de ${euros(a.faceValueCents)}`;
  const left = `Reste ${euros(a.balanceCents)}, soit ${integer(a.remainingBooklets)} carnet(s) de ${booklet}`;
  return html`${a.programName}<span class="fr-hint-text">${left}</span>`;
}
