import type { WhatIfResponse } from '../../query/response-schemas.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, usageError } from '../cli-errors.js';
import { calls, count, printTable, usd, usdChange } from '../text-output.js';

/** `costscope whatif`: a feature's calls priced on another model, by `GET /api/v1/whatif`. */
export const whatIfCommand: CliCommand = {
  name: 'whatif',
  summary: "what a feature's last 30 days would have cost on another model",
  usage: `Usage: costscope whatif --feature FEATURE --model MODEL [--from DATE] [--to DATE] [--json]

  What the feature's calls would have cost on MODEL: each call's real tokens (fresh input,
  cache reads, cache writes, output) and batch flag, priced by the server at MODEL's price of
  the call's time (this project's overrides included), against their stored cost. Token counts
  are taken as they are: another model's tokenizer may count somewhat differently.
  Needs a read key.

Options:
  --feature FEATURE  the feature (costscope.feature) whose calls are priced again
  --model MODEL      the model to price them on: a catalog id or alias, or an overridden model
  --from DATE        start, a day or an instant (default 30 days before --to)
  --to DATE          end, exclusive (default now)
  --json             print the API's JSON`,
  options: { feature: { type: 'string' }, model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, args, api }) {
    if (args.length > 0) throw usageError(`whatif takes no arguments (got "${args.join(' ')}")`);
    if (typeof values.feature !== 'string' || values.feature === '') throw usageError('whatif needs --feature FEATURE');
    if (typeof values.model !== 'string' || values.model === '') throw usageError('whatif needs --model MODEL (costscope prices lists them)');
    const query = new URLSearchParams({ feature: values.feature, model: values.model });
    if (typeof values.from === 'string') query.set('from', values.from);
    if (typeof values.to === 'string') query.set('to', values.to);
    const answer = await (await api()).json<WhatIfResponse>('GET', `/api/v1/whatif?${query}`);
    if (values.json) {
      io.out(JSON.stringify(answer, null, 2));
      return EXIT.ok;
    }
    io.out(`Feature ${answer.feature}, ${answer.from} to ${answer.to}: ${calls(answer.requests)}.`);
    if (answer.comparedRequests === 0) {
      io.out(`No call could be compared.${leftOut(answer)}`);
      return EXIT.ok;
    }
    const saving = answer.savingsUsd.startsWith('-') ? `costs ${usd(answer.savingsUsd.slice(1))} more` : `saves ${usd(answer.savingsUsd)}`;
    io.out(`As stored:            ${usd(answer.actualCostUsd)}`);
    io.out(`On ${answer.model}:`.padEnd(22) + usd(answer.whatIfCostUsd));
    io.out(`${answer.model} ${saving} over ${calls(answer.comparedRequests)}.`);
    io.out(
      `Tokens: ${count(answer.inputTokens)} input (${count(answer.cachedInputTokens)} cache reads, ${count(answer.cacheWriteInputTokens)} cache writes), ${count(answer.outputTokens)} output; prices ${answer.priceVersions.join(', ')}.`,
    );
    if (answer.byModel.length > 1 || answer.byModel[0]?.model !== answer.model) {
      io.out('');
      printTable(
        io,
        ['NOW ON', 'CALLS', 'AS STORED', `ON ${answer.model.toUpperCase()}`, 'DIFFERENCE'],
        answer.byModel.map((row) => [row.model, count(row.requests), usd(row.actualCostUsd), usd(row.whatIfCostUsd), usdChange(negate(row.savingsUsd))]),
        [1, 2, 3, 4],
      );
    }
    const notes = leftOut(answer);
    if (notes) io.out(notes.trim());
    return EXIT.ok;
  },
};

function leftOut(answer: WhatIfResponse): string {
  let text = '';
  if (answer.unpricedRequests > 0) text += ` ${calls(answer.unpricedRequests)} stored without a price ${answer.unpricedRequests === 1 ? 'is' : 'are'} left out (${answer.unpricedRequests === 1 ? 'its' : 'their'} cost is unknown).`;
  if (answer.noPriceOnModelRequests > 0) text += ` ${calls(answer.noPriceOnModelRequests)} made before ${answer.model} had a price ${answer.noPriceOnModelRequests === 1 ? 'is' : 'are'} left out.`;
  return text;
}

/** The what-if's change against the stored cost: the saving with its sign turned. */
function negate(amount: string): string {
  if (/^-?0+(\.0+)?$/.test(amount)) return amount.replace('-', ''); // no "-$0.00" for a model that costs the same
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}
