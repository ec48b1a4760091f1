import { html } from '../html';
import type { PageView } from '../layout';

export interface ErrorModel {
  /** The HTTP status sent with the page. */
  status: number;
  /** What went wrong, in French. */
  message: string;
}

/** Any failure, in French, with a way back home. */
export function errorView({ status, message }: ErrorModel): PageView {
  const title = status === 404 ? 'Page introuvable' : status === 403 ? 'Accès refusé' : 'La demande n’a pas abouti';
  return {
    title,
    body: html`<h1>${title}</h1><p>${message}</p><p><a class="fr-link" href="/">Retour à l'accueil</a></p>`,
  };
}
