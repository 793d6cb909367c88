/**
 * The shell of every web page: the State's design system (DSFR, served from node_modules under /dsfr),
 * its header with the service's navigation, a main region that the page's own HTML fills, and its footer.
 * Pages are plain HTML plus one ES module each: no build step, nothing from a CDN, all works offline.
 */

export interface WebPage {
  /** URL path, e.g. /depot. */
  path: string;
  /** File in web/pages/ holding the page's main content. */
  file: string;
  title: string;
  /** The page's module in web/assets/pages/, or null for a static page. */
  script: string | null;
  /** Shown in the navigation. */
  nav: boolean;
}

export const WEB_PAGES: WebPage[] = [
  { path: '/', file: 'accueil.html', title: 'Accueil', script: null, nav: false },
  { path: '/tableau-de-bord', file: 'tableau-de-bord.html', title: 'Tableau de bord', script: 'tableau-de-bord.js', nav: true },
  { path: '/depot', file: 'depot.html', title: 'Déposer un fichier', script: 'depot.js', nav: true },
  { path: '/historique', file: 'historique.html', title: 'Historique des dépôts', script: 'historique.js', nav: true },
  { path: '/requetes', file: 'requetes.html', title: 'Requêtes', script: 'requetes.js', nav: true },
  { path: '/contrats', file: 'contrats.html', title: 'Contrats', script: 'contrats.js', nav: true },
  // The pages every State site links from its footer.
  { path: '/accessibilite', file: 'accessibilite.html', title: 'Déclaration d’accessibilité', script: null, nav: false },
  { path: '/mentions-legales', file: 'mentions-legales.html', title: 'Mentions légales', script: null, nav: false },
  { path: '/donnees-personnelles', file: 'donnees-personnelles.html', title: 'Données personnelles', script: null, nav: false },
];

/**
 * The site's state of compliance with the RGAA, as its footer must say it: « non conforme » until an RGAA
 * audit is done (the automated axe-core check of the browser tests does not count as one).
 */
export const ACCESSIBILITY_STATUS = 'non conforme';

const SERVICE = 'Suivi des CRTE';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function navigation(current: WebPage): string {
  const items = WEB_PAGES.filter((page) => page.nav)
    .map(
      (page) =>
        `<li class="fr-nav__item"><a class="fr-nav__link" href="${page.path}"${page === current ? ' aria-current="page"' : ''}>${escapeHtml(page.title)}</a></li>`,
    )
    .join('\n          ');
  return `<div class="fr-header__menu fr-modal" id="menu-principal" aria-labelledby="bouton-menu">
      <div class="fr-container">
        <button class="fr-btn--close fr-btn" aria-controls="menu-principal" title="Fermer">Fermer</button>
        <div class="fr-header__menu-links"></div>
        <nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal">
          <ul class="fr-nav__list">
          ${items}
          </ul>
        </nav>
      </div>
    </div>`;
}

/** The whole HTML document of a page around its main content. */
export function renderPage(page: WebPage, content: string): string {
  const script = page.script ? `\n  <script type="module" src="/assets/pages/${page.script}"></script>` : '';
  return `<!doctype html>
<html lang="fr" data-fr-scheme="system">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
  <meta name="format-detection" content="telephone=no">
  <title>${escapeHtml(page.title)} — ${SERVICE}</title>
  <link rel="stylesheet" href="/dsfr/dsfr.min.css">
  <link rel="stylesheet" href="/dsfr/utility/icons/icons.min.css">
  <link rel="stylesheet" href="/assets/app.css">
  <link rel="icon" href="/dsfr/favicon/favicon.svg" type="image/svg+xml">
</head>
<body>
  <div class="fr-skiplinks">
    <nav class="fr-container" role="navigation" aria-label="Accès rapide">
      <ul class="fr-skiplinks__list">
        <li><a class="fr-link" href="#contenu">Contenu</a></li>
        <li><a class="fr-link" href="#navigation">Menu</a></li>
      </ul>
    </nav>
  </div>
  <header role="banner" class="fr-header">
    <div class="fr-header__body">
      <div class="fr-container">
        <div class="fr-header__body-row">
          <div class="fr-header__brand fr-enlarge-link">
            <div class="fr-header__brand-top">
              <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
              <div class="fr-header__navbar">
                <button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu-principal" aria-haspopup="menu" id="bouton-menu" title="Menu">Menu</button>
              </div>
            </div>
            <div class="fr-header__service">
              <a href="/" title="Accueil — ${SERVICE}"><p class="fr-header__service-title">${SERVICE}</p></a>
              <p class="fr-header__service-tagline">Contrats de relance et de transition écologique</p>
            </div>
          </div>
          <div class="fr-header__tools">
            <div class="fr-header__tools-links">
              <ul class="fr-btns-group">
                <li><button type="button" class="fr-btn fr-icon-lock-line" id="bouton-jeton" aria-controls="fenetre-jeton" data-fr-opened="false">Jeton d’accès</button></li>
              </ul>
            </div>
          </div>
        </div>
      </div>
    </div>
    ${navigation(page)}
  </header>
  <dialog aria-labelledby="fenetre-jeton-titre" id="fenetre-jeton" class="fr-modal" role="dialog">
    <div class="fr-container fr-container--fluid fr-container-md">
      <div class="fr-grid-row fr-grid-row--center">
        <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <div class="fr-modal__body">
            <div class="fr-modal__header"><button class="fr-btn--close fr-btn" aria-controls="fenetre-jeton" title="Fermer">Fermer</button></div>
            <div class="fr-modal__content">
              <h1 id="fenetre-jeton-titre" class="fr-modal__title">Jeton d’accès</h1>
              <p id="jeton-etat">Aucun jeton : vous pouvez consulter, pas déposer.</p>
              <form id="formulaire-jeton">
                <div class="fr-input-group">
                  <label class="fr-label" for="jeton">Jeton <span class="fr-hint-text">Donné par l’administrateur du contrat (commande « npx crte token create »). Il reste dans ce navigateur.</span></label>
                  <input class="fr-input" type="password" id="jeton" name="jeton" autocomplete="off">
                </div>
                <ul class="fr-btns-group fr-btns-group--inline-md">
                  <li><button class="fr-btn" type="submit">Enregistrer</button></li>
                  <li><button class="fr-btn fr-btn--secondary" type="button" id="oublier-jeton">Oublier le jeton</button></li>
                </ul>
              </form>
            </div>
          </div>
        </div>
      </div>
    </div>
  </dialog>
  <main role="main" id="contenu" tabindex="-1">
    <div class="fr-container fr-my-4w">
${content}
    </div>
  </main>
  <footer class="fr-footer" role="contentinfo" id="pied-de-page">
    <div class="fr-container">
      <div class="fr-footer__body">
        <div class="fr-footer__brand fr-enlarge-link">
          <a href="/" title="Retour à l’accueil"><p class="fr-logo">République<br>Française</p></a>
        </div>
        <div class="fr-footer__content">
          <p class="fr-footer__content-desc">${SERVICE} : les fichiers des partenaires, tels qu’ils sont envoyés, deviennent les financements du contrat, avec la cellule d’où vient chaque montant. Toutes les données viennent de l’API GraphQL <code>/graphql</code>.</p>
        </div>
      </div>
      <div class="fr-footer__bottom">
        <ul class="fr-footer__bottom-list">
          <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : ${ACCESSIBILITY_STATUS}</a></li>
          <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/mentions-legales">Mentions légales</a></li>
          <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/donnees-personnelles">Données personnelles</a></li>
        </ul>
        <div class="fr-footer__bottom-copy">
          <p>Sauf mention contraire, les contenus de ce site sont sous <a href="/mentions-legales">licence Etalab 2.0</a>.</p>
        </div>
      </div>
    </div>
  </footer>
  <script type="module" src="/dsfr/dsfr.module.min.js"></script>
  <script type="module" src="/assets/app.js"></script>${script}
</body>
</html>
`;
}
