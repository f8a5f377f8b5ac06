export type {
  AlertComparison,
  AlertGroup,
  AlertNotice,
  AlertRuleId,
  AlertScope,
  AlertTrend,
  FailureCost,
  NotifiedAction,
  WeeklyAlertSummary,
  WeeklyFeatureFigures,
  WeeklyInsightSummary,
  WeeklyReviewDigest,
} from './notification-types.js';
export type { MessageKind, OutgoingMessage, SlackBlock, SlackMessageBody } from './outgoing-message.js';
export { renderAlertGroup, MAX_ALERTS_IN_SLACK } from './render-alert-group.js';
export type { RenderOptions } from './render-alert-group.js';
export { renderWeeklyReview } from './render-weekly-review.js';
export { renderTestMessage } from './render-test-message.js';
export { topMovers } from './weekly-movers.js';
export { dashboardBaseUrl, dashboardLinks, DEFAULT_DASHBOARD_URL } from './dashboard-links.js';
export { RULE_TITLES } from './alert-wording.js';
export { sparkline } from './sparkline.js';
export { escapeHtml, escapeSlackText } from './escape-text.js';
export { describeComparison } from './format-figures.js';
