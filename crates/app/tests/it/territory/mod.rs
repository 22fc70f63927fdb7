mod places;
mod regions;
