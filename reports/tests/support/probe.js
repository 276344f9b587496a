// Measures a report in the browser for the acceptance checks (support/acceptance.rs) and writes the result as
// JSON into a `pre` with the id "probe", which `chromium --dump-dom` returns. Appended to a copy of the page by
// `chromium::probe`; it must log nothing, since the checks also assert an empty console, so an exception is
// reported in the result instead.
function probeResult(out) {
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}
window.addEventListener('load', function () { try { probe(); } catch (e) { probeResult({ error: String(e.stack || e) }); } });
function probe() {
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var text = function (e) { return e.textContent.replace(/\s+/g, ' ').trim(); };
  var out = {};
  // Closed sections take no width; open them all so that every table and chart counts.
  out.width_closed = document.documentElement.scrollWidth;
  all('details').forEach(function (d) { d.open = true; });
  out.width_open = document.documentElement.scrollWidth;
  out.client_width = document.documentElement.clientWidth;
  // What sticks out of the window (outside any scrolling box), to say why when the page is too wide.
  out.too_wide = all('body *').filter(function (e) {
    return e.getBoundingClientRect().right > out.client_width + 0.5 && !e.parentElement.closest('.scroll, pre');
  }).slice(0, 8).map(function (e) { return e.tagName + '.' + e.className; });
  out.charts = all('.chart').map(function (c) {
    var visible = function (s) {
      return all('svg [data-series="' + s + '"]', c).filter(function (g) {
        return getComputedStyle(g).display !== 'none';
      }).length;
    };
    var legend = all('.legend button', c).map(function (b) {
      var s = b.dataset.series, before = visible(s);
      b.click();
      var hidden = visible(s) === 0;
      b.click();
      return { series: s, name: text(b), drawn: before, hidden_by_click: hidden, shown_again: visible(s) === before };
    });
    return {
      label: c.querySelector('svg').getAttribute('aria-label'),
      yticks: all('text.ytick', c).map(text),
      points: all('svg circle', c).map(function (p) { var t = p.querySelector('title'); return t ? text(t) : ''; }),
      legend: legend
    };
  });
  out.toc = all('nav.toc a').map(function (a) {
    var h = a.getAttribute('href');
    return { href: h, resolves: h.charAt(0) === '#' && document.getElementById(h.slice(1)) !== null };
  });
  out.verdict = all('.verdict').map(text);
  out.tables = all('table').map(function (t) {
    var head = t.tHead ? t.tHead.rows[t.tHead.rows.length - 1] : null;
    return {
      class: t.className,
      head_rows: t.tHead ? t.tHead.rows.length : 0,
      head: head ? Array.prototype.map.call(head.cells, text) : [],
      rows: all('tbody tr', t).map(function (r) { return Array.prototype.map.call(r.cells, text); })
    };
  });
  // Every image loads now (lazy ones too), so each comparison's natural sizes can be read.
  var imgs = all('img[src]');
  imgs.forEach(function (i) { i.loading = 'eager'; });
  // An image that never loads must not stall the probe: after 3 s (of Chromium's virtual time) it counts as broken.
  var loaded = Promise.all(imgs.map(function (i) { return i.decode().catch(function () {}); }));
  var timeout = new Promise(function (done) { setTimeout(done, 3000); });
  Promise.race([loaded, timeout]).then(function () {
    var heading = '';
    out.compares = [];
    all('h3, .compare').forEach(function (e) {
      if (e.tagName === 'H3') { heading = text(e); return; }
      out.compares.push({
        entry: heading,
        images: all('figure img', e).map(function (i) {
          return { alt: i.alt, w: i.naturalWidth, h: i.naturalHeight };
        })
      });
    });
    out.broken = imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; })
      .map(function (i) { return i.getAttribute('src').slice(0, 80); });
    probeResult(out);
  }).catch(function (e) { probeResult({ error: String(e.stack || e) }); });
}
