// The notify section's schema lives with the notification stage (its channel
// types are adapters registered there); the config only lists it.
export { notifySchema, type NotifyConfig } from '../../notify/config-schema.js';
