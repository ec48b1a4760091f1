import { html, Html } from './html';

/** Field errors by field name, shown under the field and tied to it with aria-describedby. */
export type FieldErrors = Record<string, string>;

interface FieldOptions {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  errors?: FieldErrors;
  type?: string;
  required?: boolean;
  attributes?: Html;
  id?: string;
  /** Classes added to the field itself. */
  inputClass?: string;
}

function described(id: string, hint: string | undefined, error: string | undefined): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

export function input(o: FieldOptions): Html {
  const id = o.id ?? `field-${o.name}`;
  const error = o.errors?.[o.name];
  const describedBy = described(id, o.hint, error);
  return html`<div class="fr-input-group${error ? ' fr-input-group--error' : ''}" id="${id}-group">
    <label class="fr-label" for="${id}">${o.label}${o.hint ? html`<span class="fr-hint-text" id="${id}-hint">${o.hint}</span>` : ''}</label>
    <input class="fr-input${o.inputClass ? ` ${o.inputClass}` : ''}${error ? ' fr-input--error' : ''}" id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"
      ${o.required ? html`required aria-required="true"` : ''} ${describedBy ? html`aria-describedby="${describedBy}"` : ''} ${error ? html`aria-invalid="true"` : ''} ${o.attributes ?? ''}>
    <p class="fr-error-text" id="${id}-error"${error ? '' : html` hidden`}>${error ?? ''}</p>
  </div>`;
}

export function select(o: FieldOptions & { options: Array<[string, string]>; placeholder?: string }): Html {
  const id = o.id ?? `field-${o.name}`;
  const error = o.errors?.[o.name];
  const describedBy = described(id, o.hint, error);
  return html`<div class="fr-select-group${error ? ' fr-select-group--error' : ''}">
    <label class="fr-label" for="${id}">${o.label}${o.hint ? html`<span class="fr-hint-text" id="${id}-hint">${o.hint}</span>` : ''}</label>
    <select class="fr-select${error ? ' fr-select--error' : ''}" id="${id}" name="${o.name}" ${o.required ? html`required aria-required="true"` : ''}
      ${describedBy ? html`aria-describedby="${describedBy}"` : ''} ${error ? html`aria-invalid="true"` : ''}>
      ${o.placeholder !== undefined ? html`<option value="">${o.placeholder}</option>` : ''}
      ${o.options.map(([value, label]) => html`<option value="${value}"${value === o.value ? html` selected` : ''}>${label}</option>`)}
    </select>
    ${error ? html`<p class="fr-error-text" id="${id}-error">${error}</p>` : ''}
  </div>`;
}

export function radios(o: FieldOptions & { legend: string; options: Array<[string, Html | string]> }): Html {
  const error = o.errors?.[o.name];
  const errorId = `field-${o.name}-error`;
  return html`<fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" ${error ? html`aria-labelledby="field-${o.name}-legend ${errorId}"` : ''} role="group">
    <legend class="fr-fieldset__legend" id="field-${o.name}-legend">${o.legend}</legend>
    ${o.options.map(
      ([value, label], i) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
        <input type="radio" id="field-${o.name}-${i}" name="${o.name}" value="${value}"${value === o.value ? html` checked` : ''} ${o.required ? html`required` : ''}>
        <label class="fr-label" for="field-${o.name}-${i}">${label}</label></div></div>`,
    )}
    ${error ? html`<div class="fr-messages-group" id="${errorId}" aria-live="polite"><p class="fr-message fr-message--error">${error}</p></div>` : ''}
  </fieldset>`;
}

/** A POST form carrying the session's anti-forgery token. */
export function form(action: string, csrf: string, body: Html, attributes: Html | string = ''): Html {
  return html`<form method="post" action="${action}" ${attributes instanceof Html ? attributes : ''}>
    <input type="hidden" name="_csrf" value="${csrf}">${body}</form>`;
}

export function alert(kind: 'success' | 'error' | 'info' | 'warning', title: string, text?: string, id?: string): Html {
  return html`<div class="fr-alert fr-alert--${kind} fr-mb-3w" ${id ? html`id="${id}"` : ''} role="${kind === 'error' ? 'alert' : 'status'}">
    <h2 class="fr-alert__title">${title}</h2>${text ? html`<p>${text}</p>` : ''}</div>`;
}
