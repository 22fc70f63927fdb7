mod care_cards;
mod import;
mod pipl;
mod residents;
mod xlsx_fuzz;
