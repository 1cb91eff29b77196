import { z } from 'zod';

/**
 * The service catalogue, for topology-aware correlation and root-cause ranking
 * (a later stage). Optional: without it Vigil infers what it can from labels.
 */

export const SERVICE_TYPES = ['database', 'cache', 'queue', 'application', 'web', 'network', 'etl'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const dependencySchema = z.preprocess(
  // `- postgres` is shorthand for `- { service: postgres }`.
  (v) => (typeof v === 'string' ? { service: v } : v),
  z.strictObject({
    service: z.string(),
    /** How strongly a problem in the dependency propagates to the dependant, in (0, 1]. */
    weight: z.number().gt(0).max(1).default(1),
  }),
);

const serviceSchema = z.strictObject({
  name: z.string().regex(NAME_RE, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"'),
  type: z.enum(SERVICE_TYPES),
  criticality: z.enum(CRITICALITIES).default('medium'),
  dependsOn: z.preprocess((v) => v ?? [], z.array(dependencySchema)),
  /** Links shown with root-cause candidates for this service (runbooks, dashboards). */
  runbooks: z.preprocess((v) => v ?? [], z.array(z.url())),
});

// A missing or empty (null) list is no catalogue.
export const servicesSchema = z.preprocess((v) => v ?? [], z.array(serviceSchema).superRefine(checkReferences));

/** Names unique, dependencies known and not circular on themselves; each error points at its entry. */
function checkReferences(services: z.output<typeof serviceSchema>[], ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  services.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate service name "${s.name}"` });
    names.add(s.name);
  });
  services.forEach((s, i) =>
    s.dependsOn.forEach((d, j) => {
      const path = [i, 'dependsOn', j, 'service'];
      if (d.service === s.name) ctx.addIssue({ code: 'custom', path, message: `service "${s.name}" cannot depend on itself` });
      else if (!names.has(d.service)) ctx.addIssue({ code: 'custom', path, message: `unknown service "${d.service}" (not in the services list)` });
    }),
  );
}

export type ServicesConfig = z.output<typeof servicesSchema>;
export type ServiceConfig = ServicesConfig[number];
