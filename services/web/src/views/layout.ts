import type { Html } from './html';
import { html } from './html';
import type { Session } from '../session/session.store';

export interface Page {
  title: string;
  body: Html;
  session?: Session | null;
  devMode?: boolean;
  scripts?: string[];
}

/** What a page's view hands the renderer: its title, its content and the scripts it needs. */
export type PageView = Pick<Page, 'title' | 'body' | 'scripts'>;

const ROLE_LABELS = {
  operator: 'Opérateur',
  funder: 'Financeur',
  counselor: 'Conseiller',
  site: 'Lieu de médiation',
} as const;

const NAV: Record<keyof typeof ROLE_LABELS, Array<[string, string]>> = {
  counselor: [
    ['/conseiller', 'Carnets'],
    ['/conseiller/carnets/nouveau', 'Délivrer un carnet'],
  ],
  site: [['/lieu', 'Valider des pass']],
  funder: [
    ['/tableau-de-bord', 'Tableau de bord'],
    ['/tableau-de-bord/audit', "Historique d'un pass"],
  ],
  operator: [
    ['/operateur', 'Financeurs et programmes'],
    ['/operateur/lieux', 'Lieux'],
    ['/operateur/reglements', 'Règlements'],
    ['/tableau-de-bord', 'Tableau de bord'],
  ],
};

export function roleLabel(role: keyof typeof ROLE_LABELS): string {
  return ROLE_LABELS[role];
}

/** The DSFR page frame: header with the Marianne block, navigation of the signed-in role, footer. */
export function layout(page: Page): string {
  const s = page.session;
  const nav = s ? NAV[s.role] : [];
  return `<!doctype html>${html`<html lang="fr" data-fr-scheme="system">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
  <meta name="format-detection" content="telephone=no">
  <title>${page.title} — Pass numérique</title>
  <link rel="stylesheet" href="/dsfr/dsfr.min.css">
  <link rel="stylesheet" href="/dsfr/utility/icons/icons.min.css">
  <link rel="stylesheet" href="/assets/web.css">
</head>
<body>
  <div class="fr-skiplinks"><nav class="fr-container" role="navigation" aria-label="Accès rapide"><ul class="fr-skiplinks__list">
    <li><a class="fr-link" href="#contenu">Contenu</a></li>${nav.length ? html`<li><a class="fr-link" href="#navigation">Menu</a></li>` : ''}</ul></nav></div>
  <header role="banner" class="fr-header">
    <div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
      <div class="fr-header__brand fr-enlarge-link">
        <div class="fr-header__brand-top">
          <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
          ${nav.length ? html`<div class="fr-header__navbar"><button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu" aria-haspopup="menu" id="menu-button" title="Menu">Menu</button></div>` : ''}
        </div>
        <div class="fr-header__service"><a href="/" title="Accueil — Pass numérique"><p class="fr-header__service-title">Pass numérique</p></a>
          <p class="fr-header__service-tagline">Des pass pour se former au numérique</p></div>
      </div>
      <div class="fr-header__tools"><div class="fr-header__tools-links"><ul class="fr-btns-group">
        ${
          s
            ? html`<li><span class="fr-btn fr-icon-account-circle-line" aria-label="Connecté">${roleLabel(s.role)}${s.orgName ? html` — ${s.orgName}` : ''}</span></li>
        <li><form method="post" action="/deconnexion"><input type="hidden" name="_csrf" value="${s.csrf}"><button class="fr-btn fr-icon-logout-box-r-line" type="submit">Se déconnecter</button></form></li>`
            : ''
        }
      </ul></div></div>
    </div></div></div>
    ${
      nav.length
        ? html`<div class="fr-header__menu fr-modal" id="menu" aria-labelledby="menu-button"><div class="fr-container">
      <button class="fr-btn--close fr-btn" aria-controls="menu" title="Fermer">Fermer</button>
      <div class="fr-header__menu-links"></div>
      <nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">
        ${nav.map(([href, label]) => html`<li class="fr-nav__item"><a class="fr-nav__link" href="${href}" target="_self">${label}</a></li>`)}
      </ul></nav></div></div>`
        : ''
    }
  </header>
  ${page.devMode ? html`<div class="fr-notice fr-notice--info"><div class="fr-container"><div class="fr-notice__body"><p class="fr-notice__title">Mode développement : la connexion se fait sans mot de passe, en choisissant un rôle.</p></div></div></div>` : ''}
  <main role="main" id="contenu" class="fr-container fr-py-5w" tabindex="-1">
    ${page.body}
  </main>
  <footer class="fr-footer" role="contentinfo" id="footer"><div class="fr-container"><div class="fr-footer__body">
    <div class="fr-footer__brand fr-enlarge-link"><a href="/" title="Accueil — Pass numérique"><p class="fr-logo">République<br>Française</p></a></div>
    <div class="fr-footer__content"><p class="fr-footer__content-desc">Pass numérique : plateforme ouverte de gestion des pass, sous licence EUPL-1.2.</p></div>
  </div></div></footer>
  <script type="module" src="/dsfr/dsfr.module.min.js"></script>
  <script nomodule src="/dsfr/dsfr.nomodule.min.js"></script>
  ${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</body>
</html>`}`;
}
