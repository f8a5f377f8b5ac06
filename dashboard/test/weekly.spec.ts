import { defaultAlertRules } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import type { CostRow, CostsAnswer, WeeklyReportAnswer } from '@/lib/api/types';
import {
  csvFigure,
  featureChangeText,
  perSuccessText,
  weekSpendParts,
  weekSpendText,
  csvText,
  currentIsoWeek,
  headlineText,
  isoWeekMonday,
  markdownListText,
  markdownText,
  moveShares,
  parseIsoWeek,
  shapeWeeklyReview,
  shiftWeek,
  usdChange,
  weekBounds,
  weekDaysLabel,
  weekOptions,
  weeklyCsv,
  weeklyFeatureTableRows,
  weeklyMarkdown,
  WEEKLY_CSV_HEADER,
} from '@/lib/shape/weekly';
import { insightOf } from './support/insights';

describe('ISO weeks', () => {
  it('finds the Monday of a week, across year ends', () => {
    expect(isoWeekMonday('2026-W48')).toBe('2026-11-23');
    expect(isoWeekMonday('2026-W01')).toBe('2025-12-29');
    expect(isoWeekMonday('2020-W53')).toBe('2020-12-28');
  });

  it('refuses weeks that do not exist', () => {
    expect(isoWeekMonday('2025-W53')).toBeUndefined(); // 2025 has 52 weeks
    expect(isoWeekMonday('2026-W53')).toBe('2026-12-28'); // 2026 starts on a Thursday: 53 weeks
    expect(isoWeekMonday('2026-W00')).toBeUndefined();
    expect(parseIsoWeek('2026-48')).toBeUndefined();
    expect(parseIsoWeek('2026-W47')).toBe('2026-W47');
    expect(parseIsoWeek(undefined)).toBeUndefined();
  });

  it('steps weeks over a year end', () => {
    expect(shiftWeek('2026-W01', -1)).toBe('2025-W52');
    expect(shiftWeek('2020-W53', 1)).toBe('2021-W01');
  });

  it('knows which week today is in, in the project’s time zone', () => {
    // Sunday 23:30 UTC is already Monday in Tokyo.
    const now = new Date('2026-11-29T23:30:00Z');
    expect(currentIsoWeek(now, 'UTC')).toBe('2026-W48');
    expect(currentIsoWeek(now, 'Asia/Tokyo')).toBe('2026-W49');
  });

  it('labels a week by its days', () => {
    expect(weekDaysLabel('2026-W47')).toBe('Nov 16 – 22, 2026');
    expect(weekDaysLabel('2026-W49')).toBe('Nov 30 – Dec 6, 2026');
    expect(weekDaysLabel('2026-W01')).toBe('Dec 29, 2025 – Jan 4, 2026');
  });

  it('offers the recent weeks, newest first, and an older selected week', () => {
    const options = weekOptions('2026-W47', '2026-W48', 3);
    expect(options.map((o) => o.week)).toEqual(['2026-W48', '2026-W47', '2026-W46']);
    expect(options[0]!.label).toBe('2026-W48 · Nov 23 – 29 (so far)');
    expect(weekOptions('2026-W49', '2026-W49', 1)[0]!.label).toBe('2026-W49 · Nov 30 – Dec 6 (so far)');
    expect(weekOptions('2025-W10', '2026-W48', 2).map((o) => o.week)).toEqual(['2026-W48', '2026-W47', '2025-W10']);
  });

  it('bounds a week at local midnights', () => {
    const { thisWeek, lastWeek } = weekBounds('2026-11-16', 'Europe/Paris');
    expect(thisWeek.from.toISOString()).toBe('2026-11-15T23:00:00.000Z');
    expect(thisWeek.to.toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(lastWeek.from.toISOString()).toBe('2026-11-08T23:00:00.000Z');
  });
});

describe(usdChange.name, () => {
  it('splits core’s change into dollars and percent, exactly', () => {
    expect(usdChange('8.567168645', '8.339281938')).toMatchObject({ amount: '+$0.23', percent: '+2.7%', text: '+$0.23 (+2.7%)', direction: 'up', changeUsd: '0.227886707' });
    expect(usdChange('97', '100')).toMatchObject({ amount: '−$3.00', percent: '−3.0%', direction: 'down', changeUsd: '-3.00' });
    expect(usdChange('5', '0')).toMatchObject({ amount: '+$5.00', percent: 'new', ratio: null });
    expect(usdChange('0', '0')).toMatchObject({ amount: '+$0.00', percent: 'no change', direction: 'flat' });
  });
});

const costs = (rows: Array<Partial<CostRow>>): CostsAnswer => {
  const full = rows.map((row) => ({
    costUsd: '0',
    requests: 0,
    errors: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    unpricedRequests: 0,
    costPerSuccessUsd: null,
    ...row,
  }));
  return {
    from: '',
    to: '',
    groupBy: ['feature', 'model'],
    interval: null,
    timezone: 'UTC',
    source: 'rollup',
    truncated: false,
    rows: full,
    totals: {
      costUsd: '0',
      requests: full.reduce((sum, row) => sum + row.requests, 0),
      errors: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      unpricedRequests: full.reduce((sum, row) => sum + row.unpricedRequests, 0),
      costPerSuccessUsd: null,
    },
  };
};

const report: WeeklyReportAnswer = {
  week: '2026-W47',
  weekStartDay: '2026-11-16',
  timezone: 'UTC',
  thisWeekUsd: '112.50',
  lastWeekUsd: '100.00',
  costPerSuccess: { thisWeekUsd: '0.0245', lastWeekUsd: '0.02' },
  features: [
    { feature: 'summarizer', thisWeekUsd: '60.00', lastWeekUsd: '50.00', changeUsd: '10.00', thisWeekRequests: 300, lastWeekRequests: 250, thisWeekCostPerSuccessUsd: '0.20' },
    { feature: 'voice, "beta"', thisWeekUsd: '30.00', lastWeekUsd: '0.00', changeUsd: '30.00', thisWeekRequests: 100, lastWeekRequests: 0, thisWeekCostPerSuccessUsd: '0.30' },
    { feature: 'search', thisWeekUsd: '22.50', lastWeekUsd: '45.00', changeUsd: '-22.50', thisWeekRequests: 900, lastWeekRequests: 1800, thisWeekCostPerSuccessUsd: '0.025' },
    { feature: '=HYPERLINK("x")', thisWeekUsd: '0.00', lastWeekUsd: '5.00', changeUsd: '-5.00', thisWeekRequests: 0, lastWeekRequests: 20, thisWeekCostPerSuccessUsd: null },
    { feature: '', thisWeekUsd: '0.00', lastWeekUsd: '0.00', changeUsd: '0.00', thisWeekRequests: 4, lastWeekRequests: 3, thisWeekCostPerSuccessUsd: '0.00' },
  ],
  topMovers: [
    { feature: 'voice, "beta"', changeUsd: '30.00' },
    { feature: 'search', changeUsd: '-22.50' },
    { feature: 'summarizer', changeUsd: '10.00' },
    { feature: '=HYPERLINK("x")', changeUsd: '-5.00' },
  ],
  alerts: [
    {
      episodeId: 'ep1',
      rule: 'errorRate',
      scope: 'feature=search&endpoint=%2Fapi%2Fsearch',
      status: 'resolved',
      severity: 'critical',
      startedAt: '2026-11-18T09:05:00.000Z',
      resolvedAt: '2026-11-18T11:05:00.000Z',
      lastNotifiedAt: null,
      values: {},
    },
  ],
  topInsights: [
    insightOf({ id: 'batching:summarizer', strategy: 'batching', title: 'Batch the nightly summaries', feature: 'summarizer', model: '', monthlySavingUsd: '12.5' }),
    insightOf({ id: 'model-routing:search:gpt-5', strategy: 'model-routing', title: 'Route search to gpt-5-mini', feature: 'search', model: 'gpt-5', monthlySavingUsd: '140.00' }),
    insightOf({ id: 'output-caps:voice', strategy: 'output-caps', title: 'Cap voice’s answers', feature: 'voice', endpoint: '/api/voice', model: '', monthlySavingUsd: '0.42' }),
  ],
};

const thisWeek = costs([
  { feature: 'summarizer', model: 'claude-sonnet-4-6', costUsd: '60.00', requests: 300 },
  { feature: 'voice, "beta"', model: 'claude-haiku-4-5', costUsd: '30.00', requests: 100 },
  { feature: 'search', model: 'gpt-4.1-mini', costUsd: '22.50', requests: 900 },
  { feature: '', model: 'acme-llm-1', costUsd: '0', requests: 4, unpricedRequests: 4 },
]);
const lastWeek = costs([
  { feature: 'summarizer', model: 'claude-sonnet-4-6', costUsd: '50.00', requests: 250 },
  { feature: 'search', model: 'gpt-4.1-mini', costUsd: '45.00', requests: 1800 },
  { feature: '=HYPERLINK("x")', model: 'gpt-5', costUsd: '5.00', requests: 20 },
  { feature: '', model: 'acme-llm-1', costUsd: '0', requests: 3, unpricedRequests: 3 },
]);

const review = shapeWeeklyReview({ report, thisWeek, lastWeek, currentWeek: '2026-W48' });

describe(shapeWeeklyReview.name, () => {
  it('compares every feature with last week, exactly, and names the untagged calls', () => {
    expect(review.features.map((row) => [row.name, row.change.text, row.status])).toEqual([
      ['summarizer', '+$10.00 (+20.0%)', 'ongoing'],
      ['voice, "beta"', '+$30.00 (new)', 'new'],
      ['search', '−$22.50 (−50.0%)', 'ongoing'],
      ['=HYPERLINK("x")', '−$5.00 (−100.0%)', 'stopped'],
      ['(untagged)', '+$0.00 (no change)', 'ongoing'],
    ]);
    expect(review.features[4]!.thisWeekUnpriced).toBe(4);
    expect(review.totals).toMatchObject({ thisWeekRequests: 1304, lastWeekRequests: 2073, thisWeekUnpriced: 4 });
  });

  it('keeps the report’s top movers in its order, and finds what is new', () => {
    expect(review.topMovers.map((row) => row.feature)).toEqual(['voice, "beta"', 'search', 'summarizer', '=HYPERLINK("x")']);
    expect(review.newFeatures.map((row) => row.feature)).toEqual(['voice, "beta"']);
    expect(review.stoppedFeatures.map((row) => row.feature)).toEqual(['=HYPERLINK("x")']);
    expect(review.newModels).toEqual([{ model: 'claude-haiku-4-5', thisWeekUsd: '30.00', requests: 100, unpricedRequests: 0 }]);
  });

  it('draws each mover’s bar against the biggest move', () => {
    expect(moveShares(review.topMovers)).toEqual([1, 0.75, 0.3333, 0.1666]);
    expect(moveShares([])).toEqual([]);
  });

  it('says when calls had no price instead of showing $0', () => {
    expect(review.features[4]).toMatchObject({ unpricedOnly: true, partlyUnpriced: false });
    expect(featureChangeText(review.features[4]!, 'amount')).toBe('Unpriced');
    expect(featureChangeText(review.features[0]!, 'amount')).toBe('+$10.00');
    expect(weekSpendText('0', 0, 0)).toBe('no calls');
    expect(weekSpendParts('0', 0, 0)).toEqual({ amount: 'no calls', note: null });
    expect(weekSpendParts('0.00', 105, 105)).toEqual({ amount: 'Unpriced', note: '105 calls' });
    expect(weekSpendParts('8.567', 126, 1528)).toEqual({ amount: '$8.57', note: '+ 126 unpriced calls' });
    expect(weekSpendParts('8.567', 0, 1528)).toEqual({ amount: '$8.57', note: null });
    expect(weekSpendText('1.5', 2, 10)).toBe('$1.50 + 2 unpriced calls');
    expect(perSuccessText('0.00', 4, 4)).toBe('Unpriced');
    expect(perSuccessText('0.0245', 4, 1304)).toBe('≥ $0.025');
    expect(perSuccessText(null, 0, 0)).toBe('—');
  });

  it('sends its table only what the cells show and sort by, empty figures left out', () => {
    const table = weeklyFeatureTableRows(review.features);
    expect(table.map((row) => row.feature)).toEqual(review.features.map((row) => row.feature));
    expect(table[0]).toEqual({
      feature: 'summarizer',
      thisWeekUsd: review.features[0]!.thisWeekUsd,
      lastWeekUsd: review.features[0]!.lastWeekUsd,
      change: { changeUsd: '10.00', amount: '+$10.00', percent: '+20.0%', direction: 'up', ratio: review.features[0]!.change.ratio },
      thisWeekRequests: review.features[0]!.thisWeekRequests,
      lastWeekRequests: review.features[0]!.lastWeekRequests,
      thisWeekCostPerSuccessUsd: review.features[0]!.thisWeekCostPerSuccessUsd,
    });
    expect(table[1]).toMatchObject({ status: 'new' });
    expect(table[3]).toMatchObject({ status: 'stopped' });
    expect(table[4]).toMatchObject({ unpricedOnly: true, thisWeekUnpriced: 4 });
    expect(JSON.stringify(table)).not.toMatch(/null|false|ongoing|"text"/);
  });

  it('compares cost per successful response', () => {
    expect(review.costPerSuccess.change?.text).toBe('+$0.0045 (+22.5%)');
  });

  it('links to the weeks around it, and not past the current week', () => {
    expect(review).toMatchObject({ previousWeek: '2026-W46', nextWeek: '2026-W48', inProgress: false, daysLabel: 'Nov 16 – 22, 2026' });
    const current = shapeWeeklyReview({ report: { ...report, week: '2026-W48', weekStartDay: '2026-11-23' }, thisWeek, lastWeek, currentWeek: '2026-W48' });
    expect(current).toMatchObject({ inProgress: true, nextWeek: undefined });
  });
});

describe('headline', () => {
  it('says the spend, the change and what drove it', () => {
    expect(headlineText(review.headline)).toBe(
      'Spend was $112.50 (plus 4 unpriced calls) this week, +12.5% on last week ($100.00), driven by voice, "beta" (+$30.00) and summarizer (+$10.00).',
    );
    expect(review.headline.filter((part) => part.kind === 'name').map((part) => part.text)).toEqual(['voice, "beta"', 'summarizer']);
  });

  it('names what fell when spend fell', () => {
    const down = shapeWeeklyReview({
      report: { ...report, thisWeekUsd: '80.00', lastWeekUsd: '100.00' },
      thisWeek: costs([]),
      lastWeek: costs([{ requests: 10 }]),
      currentWeek: '2026-W48',
    });
    expect(headlineText(down.headline)).toBe('Spend was $80.00 this week, −20.0% on last week ($100.00), driven by search (−$22.50) and =HYPERLINK("x") (−$5.00).');
  });

  it('does not quote a percentage for a week still running', () => {
    const current = shapeWeeklyReview({ report: { ...report, week: '2026-W48', weekStartDay: '2026-11-23' }, thisWeek: costs([{ requests: 1 }]), lastWeek, currentWeek: '2026-W48' });
    expect(headlineText(current.headline)).toBe('Spend so far this week is $112.50, against $100.00 for all of last week, moved most by voice, "beta" (+$30.00) and summarizer (+$10.00).');
  });

  it('says so when there were no calls at all', () => {
    const empty = shapeWeeklyReview({
      report: { ...report, thisWeekUsd: '0.00', lastWeekUsd: '0.00', features: [], topMovers: [], alerts: [] },
      thisWeek: costs([]),
      lastWeek: costs([]),
      currentWeek: '2026-W48',
    });
    expect(headlineText(empty.headline)).toBe('No calls this week or the week before.');
  });

  it('keeps the three largest savings, largest first, whatever order the report lists them in', () => {
    const more = insightOf({ id: 'prompt-caching:chat:gpt-5', monthlySavingUsd: '12.49' });
    const four = shapeWeeklyReview({ report: { ...report, topInsights: [more, ...report.topInsights] }, thisWeek, lastWeek, currentWeek: '2026-W48' });
    expect(four.topSavings.map((insight) => [insight.id, insight.monthlySavingUsd])).toEqual([
      ['model-routing:search:gpt-5', '140.00'],
      ['batching:summarizer', '12.5'],
      ['prompt-caching:chat:gpt-5', '12.49'],
    ]);
    const none = shapeWeeklyReview({ report: { ...report, topInsights: [] }, thisWeek, lastWeek, currentWeek: '2026-W48' });
    expect(weeklyMarkdown(none, { projectId: 'default', rules: defaultAlertRules() })).toContain('## Top savings\n\nNo saving found.\n');
  });
});

describe('CSV', () => {
  it('keeps names as text: quotes, commas, line breaks and formula characters', () => {
    expect(csvText('search')).toBe('search');
    expect(csvText('voice, "beta"')).toBe('"voice, ""beta"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvText('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvText('+1')).toBe("'+1");
    expect(csvText('-x')).toBe("'-x");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('\tcmd')).toBe("'\tcmd");
  });

  it('writes figures as numbers, a negative change included', () => {
    expect(csvFigure('-22.50')).toBe('-22.50');
    expect(csvFigure(1800)).toBe('1800');
    expect(csvFigure(null)).toBe('');
    expect(() => csvFigure('=1+1')).toThrow();
  });

  it('has a row per feature and a total, money exact', () => {
    const lines = weeklyCsv(review).split('\r\n');
    expect(lines[0]).toBe(WEEKLY_CSV_HEADER.join(','));
    expect(lines[1]).toBe('feature,summarizer,60.00,50.00,10.00,20.0,300,250,0,0,0.20');
    expect(lines[2]).toBe('feature,"voice, ""beta""",30.00,0.00,30.00,,100,0,0,0,0.30');
    expect(lines[3]).toBe('feature,search,22.50,45.00,-22.50,-50.0,900,1800,0,0,0.025');
    expect(lines[4]).toBe('feature,"\'=HYPERLINK(""x"")",0.00,5.00,-5.00,-100.0,0,20,0,0,');
    expect(lines[5]).toBe('feature,,0.00,0.00,0.00,,4,3,4,3,0.00');
    expect(lines[6]).toBe('total,,112.50,100.00,12.50,12.5,1304,2073,4,3,0.0245');
    expect(lines[7]).toBe('');
  });
});

describe('Markdown', () => {
  it('escapes what would change the text’s meaning', () => {
    expect(markdownText('a|b')).toBe('a\\|b');
    expect(markdownText('*urgent* _x_ `y` [l](u) <b>')).toBe('\\*urgent\\* \\_x\\_ \\`y\\` \\[l\\](u) \\<b\\>');
    expect(markdownText('two\nlines')).toBe('two lines');
    expect(markdownText('code-review')).toBe('code-review');
    // Only where a name starts a list item do these open a heading or a nested list.
    expect(markdownText('# heading')).toBe('# heading');
    expect(markdownListText('# heading')).toBe('\\# heading');
    expect(markdownListText('- item')).toBe('\\- item');
    expect(markdownListText('1. first')).toBe('1\\. first');
    expect(markdownListText('=x')).toBe('=x');
  });

  it('renders the review with the same sentences and figures as the page', () => {
    const text = weeklyMarkdown(review, { projectId: 'default', rules: defaultAlertRules() });
    expect(text).toContain('# Weekly cost review 2026-W47');
    expect(text).toContain('Nov 16 – 22, 2026 (Monday to Sunday, UTC) · project default');
    expect(text).toContain('Spend was **$112.50** (plus 4 unpriced calls) this week, **+12.5%** on last week (**$100.00**), driven by voice, "beta" (**+$30.00**) and summarizer (**+$10.00**).');
    expect(text).toContain('| Spend | $112.50 + 4 unpriced calls | $100.00 + 3 unpriced calls | +$12.50 (+12.5%) |');
    expect(text).toContain('| search | $22.50 | $45.00 | −$22.50 (−50.0%) | 900 | $0.025 |');
    expect(text).toContain('| =HYPERLINK("x") | no calls | $5.00 | −$5.00 (−100.0%) | 0 | — |');
    expect(text).toContain('| voice, "beta" (new) | $30.00 | no calls | +$30.00 (new) | 100 | $0.30 |');
    // Unpriced calls never read as $0: not as spend, not as a change, not per response.
    expect(text).toContain('| (untagged) | Unpriced (4 unpriced calls) | Unpriced (3 unpriced calls) | Unpriced | 4 | Unpriced |');
    expect(text).toContain('| Cost per successful response | ≥ $0.025 | ≥ $0.02 | +$0.0045 (+22.5%) |');
    expect(text).toContain('- Features: voice, "beta" ($30.00)');
    expect(text).toContain('- Models: claude-haiku-4-5 ($30.00)');
    expect(text).toContain(
      [
        '## Top savings',
        '',
        '- Route search to gpt-5-mini (Model routing, search · gpt-5): $140.00 a month',
        '- Batch the nightly summaries (Batch non-urgent work, summarizer): $12.50 a month',
        '- Cap voice’s answers (Output length control, voice · /api/voice): $0.42 a month',
      ].join('\n'),
    );
    expect(text).toContain('| Error rate over 2% | feature search · endpoint /api/search | critical | Nov 18, 09:05 | Nov 18, 11:05 |');
  });

  it('keeps a name with pipes and line breaks inside its table cell', () => {
    const tricky = shapeWeeklyReview({
      report: { ...report, features: [{ ...report.features[0]!, feature: 'a|b\n| c' }], topMovers: [], alerts: [] },
      thisWeek,
      lastWeek,
      currentWeek: '2026-W48',
    });
    const text = weeklyMarkdown(tricky, { projectId: 'p|1', rules: defaultAlertRules() });
    const row = text.split('\n').find((line) => line.startsWith('| a'))!;
    expect(row).toBe('| a\\|b \\| c | $60.00 | $50.00 | +$10.00 (+20.0%) | 300 | $0.20 |');
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    expect(cells(row)).toBe(cells(text.split('\n').find((line) => line.startsWith('| Feature'))!));
    expect(text).toContain('project p\\|1');
  });
});
