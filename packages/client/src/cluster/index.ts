// The public surface of this area of @kstream/client; filled in by issue 12's work.
export {};
