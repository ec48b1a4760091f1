import type { Role } from '@app/auth';
import { ROLES } from '@app/auth';
import { alert, radios, select } from '../forms';
import { html } from '../html';
import type { PageView } from '../layout';
import { roleLabel } from '../layout';

const TITLE = 'Connexion';

/** Production: the identity provider (OIDC) is not built yet. */
export function signInUnavailableView(): PageView {
  const text =
    "La connexion par le fournisseur d'identité (OIDC) n'est pas encore en service. Contactez l'opérateur du dispositif.";
  return {
    title: TITLE,
    body: html`<h1>Connexion</h1>
        ${alert('info', 'Connexion indisponible', text)}`,
  };
}

/** Development sign-in, first step: the role to act as. */
export function signInRoleView(): PageView {
  const options = ROLES.map((r) => [r, roleLabel(r)] as [string, string]);
  return {
    title: TITLE,
    body: html`<h1>Connexion</h1>
        <p class="fr-badge fr-badge--info fr-mb-2w">Mode développement</p>
        <p>Choisissez le rôle sous lequel vous souhaitez agir.</p>
        <form method="get" action="/connexion">${radios({
          name: 'role',
          legend: 'Rôle',
          options,
          required: true,
          label: '',
        })}
        <button class="fr-btn" type="submit">Continuer</button></form>`,
  };
}

export interface SignInOrganisationModel {
  role: Role;
  /** The organisations the role may act for, and what they are called; null for the operator, who has none. */
  organisations: { label: string; choices: Array<{ id: string; name: string }> } | null;
}

/** Development sign-in, second step: the organisation to act for, if the role has one. */
export function signInOrganisationView({ role, organisations }: SignInOrganisationModel): PageView {
  const fields = html`<input type="hidden" name="role" value="${role}">
      ${
        organisations
          ? select({
              name: 'org',
              label: organisations.label,
              options: organisations.choices.map((o) => [o.id, o.name]),
              required: true,
            })
          : ''
      }
      <ul class="fr-btns-group fr-btns-group--inline-md"><li><button class="fr-btn"
        type="submit">Se connecter</button></li>
      <li><a class="fr-btn fr-btn--secondary" href="/connexion">Changer de rôle</a></li></ul>`;
  return {
    title: TITLE,
    body: html`<h1>Connexion : ${roleLabel(role)}</h1>
      <p class="fr-badge fr-badge--info fr-mb-2w">Mode développement</p>
      ${
        organisations?.choices.length === 0
          ? alert('warning', 'Aucune organisation', "Aucune organisation de ce type n'est encore enregistrée.")
          : ''
      }
      <form method="post" action="/connexion">${fields}</form>`,
  };
}
