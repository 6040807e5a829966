/** Re-folds one contact at the time its access changes by itself (end of paid period, end of grace). */
export const CONTACT_RECOMPUTE_JOB = 'contact.recompute';
