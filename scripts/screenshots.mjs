// The browser half of scripts/screenshots.sh: builds the example site, serves it and writes
// <page>-<width>.png for every page and width into the folder given as the first argument.
import path from 'node:path';
import fs from 'node:fs/promises';

import { buildAndServe, launchBrowser, visit } from '../tests/browser/lib.mjs';

const PAGES = {
  home: '/',
  'case-study': '/case-studies/southampton-care-home-manager-leadership-programme/',
  programme: '/programmes/well-led-stockton-on-tees/',
  outcomes: '/outcomes/',
  search: '/search/?q=leadership&region=north-east-and-yorkshire',
};
const WIDTHS = [[1280, 800], [375, 812]];

const folder = path.resolve(process.argv[2] || 'target/screenshots');
// An optional second argument names some of the pages (`home,search`); all by default.
const only = process.argv[3] ? process.argv[3].split(',') : Object.keys(PAGES);
await fs.mkdir(folder, { recursive: true });
const site = await buildAndServe();
const browser = await launchBrowser();
try {
  for (const [name, urlPath] of Object.entries(PAGES).filter(([name]) => only.includes(name))) {
    for (const [width, height] of WIDTHS) {
      const page = await browser.newPage();
      await page.setViewport({ width, height, deviceScaleFactor: 1 });
      await visit(page, new URL(urlPath, site.url).href);
      if (name === 'search') {
        await page.waitForFunction(() => document.querySelector('#search-results li'));
        const figures = await page.evaluate(() => {
          const title = document.querySelector('#search-results li h2');
          const status = document.getElementById('search-status');
          const first = document.querySelector('#search-results li');
          return {
            firstTitleTop: Math.round(title.getBoundingClientRect().top + scrollY),
            gapBelowStatus: Math.round(first.getBoundingClientRect().top - status.getBoundingClientRect().bottom),
          };
        });
        console.log(`search at ${width}px: first result's title at y = ${figures.firstTitleTop}px, ` +
          `${figures.gapBelowStatus}px between the status line and the first result`);
      }
      // A full-page screenshot does not scroll, so lazy images below the fold would stay
      // blank: load them as a reader scrolling down would.
      await page.evaluate(async () => {
        const lazy = [...document.querySelectorAll('img[loading="lazy"]')];
        for (const img of lazy) img.loading = 'eager';
        await Promise.all(lazy.map((img) => img.decode().catch(() => {})));
      });
      const file = path.join(folder, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await site.close();
}
