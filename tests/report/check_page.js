// Opens an smx report page in Debian's headless Chromium (playwright-core, pinned by
// package-lock.json) and checks what a reader needs: no console or page errors, no request
// leaving the file, every chart present with marks and a size, the expected flags named, the
// print stylesheet in effect when printing. Writes a screenshot and a PDF.
// Usage: node check_page.js PAGE.html OUT_DIR EXPECT.json
//   EXPECT: {"funnels": N, "flags": [["JLAC10", "FACILITY"], ...], "highlight": "H03"}
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
  const [page_path, out_dir, expect_path] = process.argv.slice(2);
  const expect = JSON.parse(fs.readFileSync(expect_path, 'utf8'));
  const problems = [];
  const browser = await chromium.launch({
    executablePath: process.env.SMX_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const url = 'file://' + path.resolve(page_path);
    page.on('request', (r) => { if (r.url() !== url) problems.push(`request outside the page: ${r.url()}`); });
    await page.goto(url, { waitUntil: 'load' });

    if ((await page.getAttribute('html', 'lang')) !== 'ja') problems.push('html lang is not ja');
    const charset = await page.evaluate(() => document.characterSet);
    if (charset !== 'UTF-8') problems.push(`charset ${charset}`);
    if ((await page.locator('script, link[rel=stylesheet], img, iframe').count()) !== 0) problems.push('script or outside resource in the page');

    // Every chart: an SVG with a size on screen and marks of its kind.
    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => {
      const box = s.getBoundingClientRect();
      const kind = [...s.classList].find((c) => c !== 'chart');
      const marks = s.querySelectorAll('circle.mark, g.mark rect, g.mark line').length;
      return { kind, label: s.getAttribute('aria-label'), width: box.width, height: box.height, marks };
    }));
    const count = (kind) => charts.filter((c) => c.kind === kind).length;
    for (const c of charts)
      if (!(c.width > 50 && c.height > 30 && c.marks > 0)) problems.push(`empty chart ${c.kind} "${c.label}": ${JSON.stringify(c)}`);
    if (count('funnel') !== expect.funnels) problems.push(`funnel plots: ${count('funnel')}, expected ${expect.funnels}`);
    // Every analyte has its charts: a box plot when it has numbers, the result mix otherwise.
    const sections = await page.$$eval('section.analyte', (all) => all.map((s) => ({
      id: s.id, box: s.querySelectorAll('svg.box').length, mix: s.querySelectorAll('svg.mix').length })));
    if (sections.length === 0 || count('box') === 0) problems.push('no analyte with a box plot');
    for (const s of sections) if (s.box + s.mix === 0) problems.push(`analyte ${s.id} without a chart`);
    if (expect.coverage && count('coverage') !== 1) problems.push('no coverage chart');
    // Every facility named on each funnel plot.
    for (const label of await page.$$eval('svg.funnel', (svgs) => svgs.map((s) => s.querySelectorAll('circle.mark').length === s.querySelectorAll('text.name').length)))
      if (!label) problems.push('a funnel mark without its name');

    // The flagged facilities: exactly the expected (code, facility) pairs, named on the page.
    const flags = await page.$$eval('table.flags tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    const got = flags.map((f) => `${f[0]} ${f[2]}`).sort();
    const want = expect.flags.map((f) => `${f[0]} ${f[1]}`).sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`flags ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    for (const [code, facility] of expect.flags) {
      const box = page.locator(`section#lab-${code} svg.box g.flagged[data-facility="${facility}"]`);
      if ((await box.count()) !== 1) problems.push(`box plot of ${code} does not mark ${facility} as flagged`);
    }
    if (expect.highlight) {
      const marks = await page.locator(`svg.funnel circle.highlight[data-facility="${expect.highlight}"]`).count();
      if (marks !== expect.funnels) problems.push(`${expect.highlight} highlighted on ${marks} of ${expect.funnels} funnel plots`);
      if ((await page.locator('p.standing').count()) !== expect.funnels) problems.push('no standing sentence');
    }

    fs.mkdirSync(out_dir, { recursive: true });
    const shot = path.join(out_dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    await page.emulateMedia({ media: 'print' });
    if (await page.locator('nav').isVisible()) problems.push('the print stylesheet does not hide the table of contents');
    const pdf = path.join(out_dir, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    console.log(`pdf: ${pdf} (${fs.statSync(pdf).size} bytes)`);
    console.log(`charts: ${charts.length} (${count('funnel')} funnel, ${count('box')} box, ${count('mix')} mix, ${count('coverage')} coverage); flags: ${got.join(', ') || 'none'}`);
  } finally {
    await browser.close();
  }
  if (problems.length) {
    for (const p of problems) console.error(`check_page.js: ${p}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
