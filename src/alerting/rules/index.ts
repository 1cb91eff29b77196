/** Alert rules: rule types, the alert lifecycle, the evaluator and backtesting, and rule files. */
export * from './types.js';
export { Template, humanize, humanize1024, humanizeDuration, humanizePercentage, type TemplateData } from './template.js';
export { LinearTrendForecaster, fitLine, type ForecastProvider, type ForecastContext, type ForecastResult } from './forecast.js';
export {
  AlertTracker,
  alertFingerprint,
  DEFAULT_FLAPPING,
  DEFAULT_KEEP_RESOLVED_MS,
  type AlertRecord,
  type AlertListener,
  type ActiveAlert,
  type Acknowledgement,
  type ManualResolution,
  type FlappingOptions,
  type LifecycleOptions,
} from './alert-state.js';
export { RuleEvaluator, backtest, compositeCondition, toActiveAlert, type EvaluatorOptions, type RuleHealth, type BacktestReport, type RuleBacktest, type BacktestAlert, type BacktestOptions } from './evaluator.js';
export { loadRules, loadRuleFile, parseRuleFile, checkRuleSet, evaluationOrder, type LoadRulesOptions, type RuleSource } from './load.js';
export { ruleSchema, rulesSchema, ruleFilesSchema, ruleFileSchema, ruleEvaluationSchema, type RuleEvaluationConfig } from '../../config/sections/rules.js';
