// Package importer turns bytes (QR images, otpauth URIs, other
// authenticators' exports) into accounts for the vault.
//
// # Formats
//
// [Import] detects the format from the content, never from a file name, and
// [Options].Format forces one where content is ambiguous (a TOTP
// Authenticator backup or an old andOTP backup has no signature at all).
// [Formats] lists the names. Detection is decided by what parses: every
// format whose signature the content has is tried, the most specific first,
// and the first that yields accounts wins; a file in a known format that
// holds no entry is an [*EmptyError]. Each format lives in its own file
// behind one small interface; docs/import.md describes what each one reads.
//
// # Safety
//
// An import is all-or-nothing per file: an error means no account. An entry
// wardkey cannot represent (an mOTP or MD5 entry, say) is reported in
// [Result].Skipped and the rest imported. Hostile input is bounded:
// [MaxFileSize] per file, [MaxPixels] per image (checked from the header
// before decoding), [MaxAccounts] per import, [MaxDepth] of nesting, and the
// key-derivation cost an encrypted export may ask for. Errors and reports
// never hold a secret or an otpauth URI.
package importer
