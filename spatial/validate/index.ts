// Validation of grid layers: the public face.
export { validate } from './validate-layer.ts';
export { VALIDATE_DEFAULTS, resolveValidateOptions, type ValidateOptions } from './validate-options.ts';
export { ISSUE_KINDS, type IssueKind, type ValidationIssue, type ValidationReport, type ValidationSummary, type GridLayer, type GridLayerFeature, type ValidateContext } from './types.ts';
