// theme-init.js - the reader's theme on <html data-theme> before the page is
// drawn.  A classic script in the page's <head> (served as
// /assets/theme-init.js?v=HASH, not bundled): the Content-Security-Policy
// allows no inline script, and the runtime module runs only after the page
// is parsed, too late to avoid a flash of the other theme.  Without a stored
// choice it does nothing and ducksite.css follows the system
// (prefers-color-scheme).  The choice is stored by web/src/theme.js.
(function () {
  try {
    var t = window.localStorage.getItem('ducksite-theme');
    if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
  } catch (e) {
    // Storage refused (private mode, a sandbox): the system's theme.
  }
}());
