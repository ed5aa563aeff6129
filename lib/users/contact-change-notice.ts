// The contact-change email now lives with every other notice; lib/users/contact-change.ts still
// imports it from here under its old name.
export {
  contactChangedNotice as composeContactChangeNotice,
  type ContactChange,
} from '@/lib/notices/contact-changed-notice';
