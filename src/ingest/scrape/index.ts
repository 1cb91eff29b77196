export { parseExposition, formatFromContentType, ExpositionParseError, parseValue, formatGoFloat, type ExpositionFormat, type ParsedSample } from './parse.js';
export { ScrapeTarget, SCRAPE_ACCEPT, type ScrapeSink, type ScrapeResult, type TargetStatus, type TargetHealth } from './target.js';
export { FileSd, parseFileSd, expandFilePattern, type TargetGroup } from './file-sd.js';
export { ScrapeManager, type ScrapeManagerOptions } from './manager.js';
