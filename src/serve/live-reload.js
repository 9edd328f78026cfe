// casebook serve: live reload and the error overlay.
//
// Served by the preview server at /__casebook/live-reload.js and put into the HTML it serves;
// never part of a built site. Listens to /__casebook/events: `reload` reloads the page keeping
// its scroll position (or, when only stylesheets changed, swaps them without a reload);
// `diagnostics` shows or hides the overlay listing the content's errors, and a page served
// while there are errors draws it at once from its `#casebook-errors` data block. The overlay's
// markup is made here only. Text from content is always set with textContent.
(() => {
  'use strict';
  const SCROLL_KEY = `casebook-scroll:${location.pathname}`;

  function restoreScroll() {
    const saved = sessionStorage.getItem(SCROLL_KEY);
    if (!saved) return;
    try {
      const [x, y] = JSON.parse(saved);
      window.scrollTo(x, y);
    } catch {
      // a value of another version: ignore it
    }
  }

  function reload() {
    sessionStorage.setItem(SCROLL_KEY, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/__casebook/')) continue;
      url.searchParams.set('casebook-reload', String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener('load', () => link.remove());
      fresh.addEventListener('error', () => fresh.remove());
      link.after(fresh);
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showOverlay(errors) {
    document.getElementById('casebook-overlay')?.remove();
    if (!errors.length) return;
    const overlay = element('div', 'casebook-overlay');
    overlay.id = 'casebook-overlay';
    overlay.setAttribute('role', 'alert');
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    overlay.append(element('h2', 'casebook-overlay-title', `${count}: showing the last good version of the site`));
    const list = element('ol', 'casebook-overlay-list');
    for (const error of errors) {
      const item = element('li');
      item.append(element('p', 'casebook-overlay-where', `${error.file}:${error.line}:${error.column} ${error.code}`));
      item.append(element('p', 'casebook-overlay-message', error.message));
      if (error.hint) item.append(element('p', 'casebook-overlay-hint', `hint: ${error.hint}`));
      list.append(item);
    }
    overlay.append(list);
    overlay.append(element('button', 'casebook-overlay-hide', 'Hide'));
    document.body.append(overlay);
    wireHideButton();
  }

  function wireHideButton() {
    const button = document.querySelector('#casebook-overlay .casebook-overlay-hide');
    button?.addEventListener('click', () => document.getElementById('casebook-overlay')?.remove());
  }

  // A page served while the content has errors carries them in a data block: draw the overlay
  // from it at once, as from a `diagnostics` event.
  const served = document.getElementById('casebook-errors');
  if (served) {
    try {
      showOverlay(JSON.parse(served.textContent).errors || []);
    } catch {
      // a malformed block changes nothing
    }
  }

  restoreScroll();
  window.addEventListener('load', () => {
    restoreScroll();
    sessionStorage.removeItem(SCROLL_KEY);
  });
  const source = new EventSource('/__casebook/events');
  source.addEventListener('reload', (event) => {
    let data = {};
    try {
      data = JSON.parse(event.data);
    } catch {
      // no details: reload
    }
    if (data.css_only) swapStylesheets();
    else reload();
  });
  source.addEventListener('diagnostics', (event) => {
    try {
      showOverlay(JSON.parse(event.data).errors || []);
    } catch {
      // a malformed message changes nothing
    }
  });
  window.casebookLiveReload = { source };
})();
